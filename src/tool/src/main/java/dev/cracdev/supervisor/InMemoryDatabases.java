package dev.cracdev.supervisor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * In-memory H2 databases the app is configured with that the last closed connection drops ({@code
 * jdbc:h2:mem:...} without {@code DB_CLOSE_DELAY=-1}). Spring, told of a checkpoint through org.crac, closes its
 * connection pool, so a ready image would take such a database with it: the generation (and every reset to its
 * image) would go on without its tables. The URL Spring Boot makes up itself keeps the database; one set by hand,
 * as tutorials do ({@code spring.datasource.url=jdbc:h2:mem:testdb}), does not. Looked for where Spring reads it:
 * its config files in the app roots (also under {@code config/}; a profile's file only for a profile made active
 * there, by {@code -D} option, argument or environment: a test profile's H2 is not the running app's),
 * {@code -D} options, {@code --} arguments and the environment. A line-level look, not Spring's binder: enough to
 * name the fix.
 */
final class InMemoryDatabases {
    private static final Pattern URL = Pattern.compile("jdbc:h2:mem:[^\\s\"'`,}]*", Pattern.CASE_INSENSITIVE);
    /**
     * Kept after the last connection closes: for ever (-1) or for some seconds (a ready image takes less). Looked
     * for up to the next URL on the line: a setting may follow one whose value has spaces ({@code INIT=RUNSCRIPT FROM ...}).
     */
    private static final Pattern KEPT = Pattern.compile(";\\s*DB_CLOSE_DELAY\\s*=\\s*(-1|[1-9][0-9]*)(?![0-9])", Pattern.CASE_INSENSITIVE);
    private static final Pattern CONFIG_FILE = Pattern.compile("application(-[\\w.-]+)?\\.(properties|ya?ml)");
    /** Where the active profiles are set: {@code key=a,b}, {@code key = a} or {@code key: a, b}. */
    private static final Pattern ACTIVE_IN_FILE = setting("spring.profiles.active");
    private static final Pattern ACTIVE_IN_OPTION = setting("-Dspring.profiles.active");
    private static final Pattern ACTIVE_IN_ARGUMENT = setting("--spring.profiles.active");
    /** YAML's {@code active:} under {@code spring: profiles:}, without a trailing comment (not a block list). */
    private static final Pattern ACTIVE_IN_YAML = Pattern.compile("\\s*active\\s*:([^#]*)(#.*)?");

    private InMemoryDatabases() {
    }

    /** Each such URL with where it was found, e.g. {@code jdbc:h2:mem:testdb (target/classes/application.properties)}. */
    static List<String> droppedWithTheirPool(List<Path> appRoots, List<String> jvmOptions, List<String> args,
                                             Map<String, String> env, Path workDir) {
        List<Path> files = new ArrayList<>();
        for (Path root : appRoots) {
            files.addAll(configFiles(root));
            files.addAll(configFiles(root.resolve("config")));
        }
        Set<String> active = new HashSet<>();
        for (Path file : files) {
            if (profile(file) == null) {
                lines(file).forEach(line -> activeProfiles(line, active, ACTIVE_IN_FILE, ACTIVE_IN_YAML));
            }
        }
        jvmOptions.forEach(o -> activeProfiles(o, active, ACTIVE_IN_OPTION));
        args.forEach(a -> activeProfiles(a, active, ACTIVE_IN_ARGUMENT));
        addProfiles(env.getOrDefault("SPRING_PROFILES_ACTIVE", ""), active);
        List<String> found = new ArrayList<>();
        for (Path file : files) {
            String profile = profile(file);
            if (profile == null || active.contains(profile)) {
                lines(file).forEach(line -> collect(line, relative(workDir, file), found));
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

    /** The file's lines that are not comments; none if it cannot be read (Spring would say so itself). */
    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip)
                    .filter(l -> !l.startsWith("#") && !l.startsWith("!")).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** "dev" for application-dev.yml, null for application.properties. */
    private static String profile(Path file) {
        Matcher m = CONFIG_FILE.matcher(file.getFileName().toString());
        return m.matches() && m.group(1) != null ? m.group(1).substring(1) : null;
    }

    private static Pattern setting(String key) {
        return Pattern.compile("\\s*" + Pattern.quote(key) + "\\s*[=:](.*)");
    }

    /** Adds the profiles the line sets in the first of {@code forms} it matches. */
    private static void activeProfiles(String line, Set<String> active, Pattern... forms) {
        for (Pattern form : forms) {
            Matcher m = form.matcher(line);
            if (m.matches()) {
                addProfiles(m.group(1), active);
                return;
            }
        }
    }

    /** {@code dev,local}, {@code [ "dev", local ]} */
    private static void addProfiles(String list, Set<String> active) {
        for (String p : list.replaceAll("[\\[\\]\"']", "").split(",")) {
            if (!p.isBlank()) {
                active.add(p.strip());
            }
        }
    }

    /** Each URL's settings run to the next URL on the line (or its end): a second URL's delay is not the first's. */
    private static void collect(String text, String where, List<String> found) {
        Matcher m = URL.matcher(text);
        List<int[]> urls = new ArrayList<>();
        while (m.find()) {
            urls.add(new int[] {m.start(), m.end()});
        }
        for (int i = 0; i < urls.size(); i++) {
            int settingsEnd = i + 1 < urls.size() ? urls.get(i + 1)[0] : text.length();
            if (!KEPT.matcher(text).region(urls.get(i)[0], settingsEnd).find()) {
                found.add(text.substring(urls.get(i)[0], urls.get(i)[1]) + " (" + where + ")");
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
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
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
