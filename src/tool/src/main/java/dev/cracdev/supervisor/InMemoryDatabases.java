package dev.cracdev.supervisor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * In-memory H2 databases the app is configured with that the last closed connection drops ({@code
 * jdbc:h2:mem:...} without {@code DB_CLOSE_DELAY=-1}). Spring, told of a checkpoint through org.crac, closes its
 * connection pool, so a ready image would take such a database with it: the generation (and every reset to its
 * image) would go on without its tables. The URL Spring Boot makes up itself keeps the database; one set by hand,
 * as tutorials do ({@code spring.datasource.url=jdbc:h2:mem:testdb}), does not. Looked for where Spring reads it:
 * its config files in the app roots (also under {@code config/}, profiles included), {@code -D} options,
 * {@code --} arguments and the environment. A line-level look, not Spring's binder: enough to name the fix.
 */
final class InMemoryDatabases {
    private static final Pattern URL = Pattern.compile("jdbc:h2:mem:[^\\s\"'`,]*", Pattern.CASE_INSENSITIVE);
    /** Kept after the last connection closes: for ever (-1) or for some seconds (a ready image takes less). */
    private static final Pattern KEPT = Pattern.compile(";DB_CLOSE_DELAY=(-1|[1-9][0-9]*)(;|$)", Pattern.CASE_INSENSITIVE);
    private static final Pattern CONFIG_FILE = Pattern.compile("application(-[\\w.-]+)?\\.(properties|ya?ml)");

    private InMemoryDatabases() {
    }

    /** Each such URL with where it was found, e.g. {@code jdbc:h2:mem:testdb (target/classes/application.properties)}. */
    static List<String> droppedWithTheirPool(List<Path> appRoots, List<String> jvmOptions, List<String> args,
                                             Map<String, String> env, Path workDir) {
        List<String> found = new ArrayList<>();
        for (Path root : appRoots) {
            for (Path dir : List.of(root, root.resolve("config"))) {
                for (Path file : configFiles(dir)) {
                    try {
                        for (String line : Files.readAllLines(file)) {
                            String trimmed = line.strip();
                            if (!trimmed.startsWith("#") && !trimmed.startsWith("!")) {
                                collect(trimmed, relative(workDir, file), found);
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        // unreadable (or not text): Spring would fail on it, and say so itself
                    }
                }
            }
        }
        jvmOptions.forEach(o -> collect(o, "--jvm-opt", found));
        args.forEach(a -> collect(a, "the app's arguments", found));
        String fromEnv = env.get("SPRING_DATASOURCE_URL");
        if (fromEnv != null) {
            collect(fromEnv, "SPRING_DATASOURCE_URL", found);
        }
        return found;
    }

    private static void collect(String text, String where, List<String> found) {
        Matcher m = URL.matcher(text);
        while (m.find()) {
            String url = m.group();
            if (!KEPT.matcher(url).find()) {
                found.add(url + " (" + where + ")");
            }
        }
    }

    private static List<Path> configFiles(Path dir) {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (CONFIG_FILE.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        } catch (IOException e) {
            // not listable: nothing Spring would read either
        }
        files.sort(null);
        return files;
    }

    private static String relative(Path workDir, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path base = workDir.toAbsolutePath().normalize();
        return abs.startsWith(base) ? base.relativize(abs).toString() : abs.toString();
    }
}
