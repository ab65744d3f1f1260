package dev.cracdev.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What a base image depends on, as named inputs, and a short hash over them. An image is only reused
 * when every input is the same: the JDK (path, version, libjvm), JVM options, each framework entry
 * (size and content hash: a jar rebuilt with the same size would otherwise restore with stale
 * content), the app roots' locations, crac-dev's version and runtime, the engine, and what the template
 * inherits from the supervisor: its working directory and environment (a hash per variable, never the
 * value; shell bookkeeping that cannot matter is left out, see {@link EnvironmentNoise}).
 */
public final class Fingerprint {
    private static final Map<Path, CachedHash> HASHES = new ConcurrentHashMap<>();
    private static final String ENV_PREFIX = "env:";

    private final Map<String, String> inputs;
    private final String id;

    private Fingerprint(Map<String, String> inputs) {
        this.inputs = inputs;
        this.id = sha256(inputs.toString()).substring(0, 16);
    }

    /** The fingerprint of a template started by this process: it inherits our working directory and environment. */
    public static Fingerprint of(Path java, String javaVersion, List<String> jvmOptions, List<Path> framework,
                                 List<Path> appRoots, String cracDevVersion, Path runtimeJar, String engine)
            throws IOException {
        return of(java, javaVersion, jvmOptions, framework, appRoots, cracDevVersion, runtimeJar, engine,
                Path.of("").toAbsolutePath(), System.getenv());
    }

    public static Fingerprint of(Path java, String javaVersion, List<String> jvmOptions, List<Path> framework,
                                 List<Path> appRoots, String cracDevVersion, Path runtimeJar, String engine,
                                 Path workDir, Map<String, String> environment) throws IOException {
        Map<String, String> in = new LinkedHashMap<>();
        in.put("engine", engine);
        in.put("crac-dev", cracDevVersion + " " + describeFile(runtimeJar));
        in.put("jdk", java.toAbsolutePath() + " " + javaVersion + " " + describeLibjvm(java));
        in.put("jvm-options", String.join(" ", jvmOptions));
        for (int i = 0; i < framework.size(); i++) {
            in.put("framework[" + i + "]", framework.get(i).toAbsolutePath() + " " + describeFile(framework.get(i)));
        }
        in.put("app-roots", appRoots.stream().map(p -> p.toAbsolutePath().toString()).toList().toString());
        // the image freezes the template's working directory and environment (System.getenv() is read once)
        in.put("working-dir", workDir.toAbsolutePath().toString());
        new TreeMap<>(environment).forEach((name, value) -> {
            if (!EnvironmentNoise.ignored(name)) {
                // a hash only: values may be secrets, and this file is easier to leak than the image
                in.put(ENV_PREFIX + name, "sha256:" + sha256(name + "=" + value).substring(0, 32));
            }
        });
        return new Fingerprint(in);
    }

    static Fingerprint of(Map<String, String> inputs) {
        return new Fingerprint(new LinkedHashMap<>(inputs));
    }

    public String id() {
        return id;
    }

    public Map<String, String> inputs() {
        return inputs;
    }

    /** One sentence naming the first input that differs from {@code previous}, or null if none. */
    public String whatChangedSince(Map<String, String> previous) {
        for (Map.Entry<String, String> e : inputs.entrySet()) {
            String before = previous.get(e.getKey());
            if (!e.getValue().equals(before)) {
                String key = e.getKey();
                if (key.startsWith(ENV_PREFIX)) {
                    return "environment variable " + key.substring(ENV_PREFIX.length())
                            + (before == null ? " was set" : " changed");
                }
                if (key.startsWith("framework[")) {
                    String path = e.getValue().substring(0, e.getValue().indexOf(' '));
                    return before == null ? "framework entry " + path + " was added"
                            : "framework entry " + path + " changed";
                }
                return switch (key) {
                    case "jdk" -> "the JDK changed (" + e.getValue() + ")";
                    case "jvm-options" -> "the JVM options changed (now: " + e.getValue() + ")";
                    case "crac-dev" -> "crac-dev itself changed";
                    case "app-roots" -> "the app roots changed";
                    case "working-dir" -> "the working directory changed";
                    case "engine" -> "the engine changed";
                    default -> key + " changed";
                };
            }
        }
        for (String key : previous.keySet()) {
            if (!inputs.containsKey(key)) {
                if (key.startsWith(ENV_PREFIX)) {
                    return "environment variable " + key.substring(ENV_PREFIX.length()) + " was removed";
                }
                return key.startsWith("framework[") ? "a framework entry was removed" : key + " was removed";
            }
        }
        return null;
    }

    /** Size and content hash of a file; for a directory, of every file under it. Cached by size and mtime. */
    static String describeFile(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            MessageDigest md = digest();
            try (Stream<Path> files = Files.walk(path)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    md.update((path.relativize(f) + " " + describeFile(f) + "\n").getBytes());
                }
            } catch (UncheckedIOException e) {
                throw e.getCause(); // a build deleting files while we look
            }
            return "dir sha256:" + HexFormat.of().formatHex(md.digest()).substring(0, 32);
        }
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        Path key = path.toAbsolutePath();
        CachedHash cached = HASHES.get(key);
        if (cached == null || cached.size != attrs.size() || cached.mtime != attrs.lastModifiedTime().toMillis()) {
            cached = new CachedHash(attrs.size(), attrs.lastModifiedTime().toMillis(), hashFile(path));
            HASHES.put(key, cached);
        }
        return cached.size + " bytes sha256:" + cached.hash;
    }

    private static String describeLibjvm(Path java) throws IOException {
        Path home = java.toAbsolutePath().getParent().getParent();
        for (Path candidate : List.of(home.resolve("lib/server/libjvm.so"), home.resolve("lib/server/libjvm.dylib"),
                home.resolve("bin/server/jvm.dll"))) {
            if (Files.isRegularFile(candidate)) {
                BasicFileAttributes a = Files.readAttributes(candidate, BasicFileAttributes.class);
                return "libjvm " + a.size() + " bytes " + a.lastModifiedTime().toMillis();
            }
        }
        return "";
    }

    private static String hashFile(Path path) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(path)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 32);
    }

    private static String sha256(String s) {
        return HexFormat.of().formatHex(digest().digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private record CachedHash(long size, long mtime, String hash) {
    }
}
