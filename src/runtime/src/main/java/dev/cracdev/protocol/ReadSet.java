package dev.cracdev.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the framework phase read from the app roots: each name looked up there (a resource such as
 * {@code logback.xml}, or a class that was probed and not found) with what the app roots held under that
 * name at the time — a content hash per root, or "absent". An image (or a standby JVM) that ran framework
 * initializers holds whatever they made of those files, so it is valid only while every entry still
 * matches: that is how initializers can run before the boundary without ever serving stale state.
 *
 * <p>Written by the runtime at the boundary, checked by the supervisor before each generation; both sides
 * compute entries with {@link #state}, so this class depends on the JDK only.
 */
public final class ReadSet {
    private static final String ABSENT = "-";
    private final Map<String, String> entries; // name -> state, in lookup order

    private ReadSet(Map<String, String> entries) {
        this.entries = entries;
    }

    public static ReadSet empty() {
        return new ReadSet(new LinkedHashMap<>());
    }

    public int size() {
        return entries.size();
    }

    /** Records {@code name} as the app roots hold it now, the first time it is looked up. */
    public synchronized void record(String name, List<Path> appRoots) {
        if (!entries.containsKey(name)) {
            entries.put(name, state(name, appRoots));
        }
    }

    /**
     * The names whose state in the app roots differs from the recorded one (empty: still valid). A name
     * recorded as absent that now exists counts too: an initializer that found nothing would find it now.
     */
    public synchronized List<String> changed(List<Path> appRoots) {
        List<String> changed = new ArrayList<>();
        List<String> bases = bases(appRoots);
        // This runs on a change's critical path, for the example's ~400-860 names, nearly all absent under a few
        // package directories the app roots do not have (org/, io/, META-INF/...): plain strings instead of a Path
        // resolved and normalized per name and root, and one look at each directory, took it from 3-6 ms to
        // ~1-2 ms a check
        Map<String, Boolean> directories = new HashMap<>();
        entries.forEach((name, recorded) -> {
            if (!recorded.equals(state(name, bases, directories))) {
                changed.add(name);
            }
        });
        return changed;
    }

    /** For the user: "logback.xml changed", "logback.xml and 2 more changed". */
    public static String describe(List<String> changed) {
        return changed.get(0) + (changed.size() > 1 ? " and " + (changed.size() - 1) + " more" : "") + " changed";
    }

    /** One comma-separated item per app root, in class-path order: a content hash, "dir", or "-" (absent). */
    static String state(String name, List<Path> appRoots) {
        return state(name, bases(appRoots), null);
    }

    private static List<String> bases(List<Path> appRoots) {
        return appRoots.stream().map(root -> root.toAbsolutePath().normalize().toString()).toList();
    }

    /** @param directories whether a directory is there, as seen earlier in the same check (null: look each time) */
    private static String state(String name, List<String> bases, Map<String, Boolean> directories) {
        StringBuilder s = new StringBuilder();
        for (String base : bases) {
            s.append(s.length() == 0 ? "" : ",").append(stateIn(base, name, directories));
        }
        return s.toString();
    }

    private static String stateIn(String base, String name, Map<String, Boolean> directories) {
        java.io.File f;
        if (plain(name)) { // a resource name as class loaders look them up: "a/b/c.xml", "demo/"
            String relative = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            int slash = relative.lastIndexOf('/');
            if (directories != null && slash > 0 && !isDirectory(base, relative.substring(0, slash), directories)) {
                return ABSENT; // nothing is in a directory that is not there
            }
            f = new java.io.File(relative.isEmpty() ? base : base + "/" + relative);
        } else {
            Path root = Path.of(base);
            Path file = root.resolve(name).normalize();
            if (!file.startsWith(root)) {
                return ABSENT; // a URL class path does not leave its root either
            }
            f = file.toFile();
        }
        // java.io.File's checks: most names are absent, and an exception for each (NIO's way) made checking the
        // example's ~860 names take 13-28 ms of every change
        if (!f.exists()) {
            return ABSENT; // one stat for the usual case
        }
        if (f.isDirectory()) {
            return "dir";
        }
        if (!f.isFile()) {
            return ABSENT; // a pipe or device: the class loader would not read it either
        }
        try (InputStream in = Files.newInputStream(f.toPath())) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 32);
        } catch (IOException e) {
            return ABSENT; // missing or unreadable: the class loader would not have found it either
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Relative, without "." or ".." segments or empty ones (but a trailing "/"), in ASCII without NUL, on a file
     * system that separates with "/": the file is {@code base + "/" + name}, exactly as a {@link Path} would resolve
     * it (anything else takes the Path way, which also rejects what no path can hold, as before).
     */
    private static boolean plain(String name) {
        if (java.io.File.separatorChar != '/' || name.startsWith("/") || name.indexOf('\\') >= 0) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0 || c >= 0x80) {
                return false;
            }
        }
        int from = 0;
        while (from < name.length()) {
            int slash = name.indexOf('/', from);
            int to = slash < 0 ? name.length() : slash;
            String segment = name.substring(from, to);
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
            from = to + 1;
        }
        return true;
    }

    /** Whether {@code base/relative} is a directory, each directory looked at once per check. */
    private static boolean isDirectory(String base, String relative, Map<String, Boolean> directories) {
        String path = base + "/" + relative;
        Boolean known = directories.get(path);
        if (known == null) {
            int slash = relative.lastIndexOf('/');
            known = (slash <= 0 || isDirectory(base, relative.substring(0, slash), directories))
                    && new java.io.File(path).isDirectory();
            directories.put(path, known);
        }
        return known;
    }

    /** Writes one {@code state<TAB>name} line an entry, atomically. */
    public synchronized void write(Path file) throws IOException {
        List<String> lines = new ArrayList<>(entries.size());
        entries.forEach((name, state) -> lines.add(state + "\t" + name));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a read set written by {@link #write}; a missing file is an empty set. */
    public static ReadSet read(Path file) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    entries.put(line.substring(tab + 1), line.substring(0, tab));
                }
            }
        }
        return new ReadSet(entries);
    }
}
