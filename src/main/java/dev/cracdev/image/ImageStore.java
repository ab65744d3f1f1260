package dev.cracdev.image;

import dev.cracdev.PrivateDirectories;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The image store ({@code ./checkpoints} by default): one directory per {@link Fingerprint}, holding
 * its base image, the recorded class list and a {@code meta.properties} that says what the fingerprint
 * covers. Images contain process memory (secrets included), so every directory crac-dev creates is 0700
 * (an existing root keeps its mode: it may be the project itself), each fingerprint directory has a
 * {@code .gitignore} of {@code *} that keeps it out of the user's repository, and only the newest
 * {@value #KEEP} fingerprints are kept. Images are built in a fresh directory and renamed into place:
 * never half-written.
 */
public final class ImageStore {
    public static final int KEEP = 3;
    private static final String META = "meta.properties";

    private final Path root;

    public ImageStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    /** Creates or reuses the directory of {@code fp} and marks it most recently used. */
    public Path open(Fingerprint fp) throws IOException {
        if (PrivateDirectories.createMissing(root)) {
            ignoreAll(root); // ours: keep it out of git as a whole; an existing root (--images .) is left as it is
        }
        Path dir = root.resolve(fp.id());
        PrivateDirectories.createMissing(dir);
        ignoreAll(dir); // whatever the root is, the images in here stay out of git
        Path meta = dir.resolve(META);
        if (!Files.exists(meta)) {
            Properties p = new Properties();
            p.putAll(fp.inputs());
            p.setProperty("created", Instant.now().toString());
            try (Writer w = Files.newBufferedWriter(meta, StandardCharsets.UTF_8)) {
                p.store(w, "What this crac-dev image directory depends on");
            }
        }
        Files.setLastModifiedTime(meta, FileTime.from(Instant.now()));
        return dir;
    }

    private static void ignoreAll(Path dir) throws IOException {
        Path ignore = dir.resolve(".gitignore");
        if (!Files.exists(ignore)) {
            Files.writeString(ignore, "# crac-dev images contain process memory: never commit them\n*\n");
        }
    }

    /** The inputs of the most recently used other fingerprint, to tell the user what changed. */
    public Optional<Map<String, String>> previousInputs(Fingerprint current) throws IOException {
        return entries().stream()
                .filter(d -> !d.getFileName().toString().equals(current.id()))
                .findFirst()
                .map(ImageStore::readMeta);
    }

    /** Deletes all but the {@value #KEEP} most recently used fingerprints (never {@code current}). */
    public void prune(Fingerprint current) throws IOException {
        List<Path> all = entries();
        int kept = 0;
        for (Path dir : all) {
            if (dir.getFileName().toString().equals(current.id()) || ++kept < KEEP) {
                continue;
            }
            deleteTree(dir);
        }
    }

    /** A fresh, private directory next to {@code target} to build an image in before {@link #publish}. */
    public static Path newBuildDir(Path target) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".building-" + System.nanoTime());
        Files.createDirectory(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return tmp;
    }

    /** Makes a finished image private (files 0600: they hold process memory) and moves it into place, replacing any previous one. */
    public static void publish(Path built, Path target) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            try (Stream<Path> files = Files.walk(built)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
                }
            }
        }
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling(target.getFileName() + ".old-" + System.nanoTime());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            deleteTree(old);
        }
    }

    /** Deletes an image that failed to restore so it is never reused. */
    public static void discard(Path image) throws IOException {
        if (Files.exists(image)) {
            Path doomed = image.resolveSibling(image.getFileName() + ".bad-" + System.nanoTime());
            Files.move(image, doomed, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(doomed);
        }
    }

    /** Creates {@code dir} and its missing parents, 0700 each; an existing directory keeps its mode. */
    public static void secureDir(Path dir) throws IOException {
        PrivateDirectories.createMissing(dir);
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Fingerprint directories, most recently used first. */
    private List<Path> entries() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(root)) {
            return list.filter(d -> Files.isRegularFile(d.resolve(META)))
                    .sorted(Comparator.comparing(ImageStore::lastUsed).reversed())
                    .toList();
        }
    }

    private static FileTime lastUsed(Path dir) {
        try {
            return Files.getLastModifiedTime(dir.resolve(META));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static Map<String, String> readMeta(Path dir) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(META), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> map = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
        map.remove("created");
        return map;
    }
}
