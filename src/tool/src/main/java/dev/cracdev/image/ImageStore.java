package dev.cracdev.image;

import dev.cracdev.PrivateDirectories;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The image store ({@code ./checkpoints} by default): one directory per {@link Fingerprint}, holding
 * its base image, the recorded class list and a {@code meta.properties} that says what the fingerprint
 * covers. Images contain process memory (secrets included), so every directory crac-dev creates is 0700
 * (an existing root keeps its mode: it may be the project itself), each fingerprint directory has a
 * {@code .gitignore} of {@code *} that keeps it out of the user's repository, and only each project's
 * newest {@value #KEEP} fingerprints are kept (a store may be shared: {@code meta.properties} names the
 * project, and no project prunes or sweeps another's). Images are built in a fresh directory and renamed into place:
 * never half-written.
 */
public final class ImageStore {
    public static final int KEEP = 3;
    private static final String META = "meta.properties";

    private static final String PROJECT = "project";
    /** What a build, publish or discard leaves behind when the supervisor dies in the middle of it. */
    private static final Pattern LEFTOVER = Pattern.compile(".+\\.(building|old|bad)-\\d+");
    /** A read set a template wrote at its boundary, normally read and deleted at once. */
    private static final Pattern LEFTOVER_FILE = Pattern.compile("readset-[0-9a-f]+\\.tmp");

    private final Path root;
    private final String project;
    private boolean swept;

    /** @param project the project directory: a store may be shared, but each project only prunes and sweeps its own */
    public ImageStore(Path root, Path project) {
        this.root = root.toAbsolutePath();
        this.project = project.toAbsolutePath().normalize().toString();
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
        if (!project.equals(projectOf(dir))) { // new, or made by a version that did not record its project
            Properties p = new Properties();
            p.putAll(fp.inputs());
            p.setProperty("created", Instant.now().toString());
            p.setProperty(PROJECT, project);
            try (Writer w = Files.newBufferedWriter(meta, StandardCharsets.UTF_8)) {
                p.store(w, "What this crac-dev image directory depends on");
            }
        }
        Files.setLastModifiedTime(meta, FileTime.from(Instant.now()));
        if (!swept) {
            sweepLeftovers();
            swept = true;
        }
        return dir;
    }

    /**
     * Deletes what crashed supervisors of this project left in its fingerprint directories (half-built,
     * replaced or discarded images). Only when the store is first opened: there is one supervisor per
     * project, so nothing of ours is in flight yet.
     */
    private void sweepLeftovers() throws IOException {
        for (Path dir : entries()) {
            try (Stream<Path> children = Files.list(dir)) {
                for (Path p : children.toList()) {
                    String name = p.getFileName().toString();
                    if (LEFTOVER.matcher(name).matches() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        deleteTree(p);
                    } else if (LEFTOVER_FILE.matcher(name).matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    private static void ignoreAll(Path dir) throws IOException {
        Path ignore = dir.resolve(".gitignore");
        if (!Files.exists(ignore)) {
            Files.writeString(ignore, "# crac-dev images contain process memory: never commit them\n*\n");
        }
    }

    /** The inputs of this project's most recently used other fingerprint, to tell the user what changed. */
    public Optional<Map<String, String>> previousInputs(Fingerprint current) throws IOException {
        List<Path> all = entries();
        return all.isEmpty() || all.get(0).getFileName().toString().equals(current.id())
                ? Optional.empty() // the last run had this one
                : Optional.of(inputsOf(all.get(0)));
    }

    /** Deletes all but this project's {@value #KEEP} most recently used fingerprints (never {@code current}, never another project's). */
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
        if (PrivateDirectories.isPosix()) {
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

    /** This project's fingerprint directories, most recently used first. */
    private List<Path> entries() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(root)) {
            return list.filter(d -> project.equals(projectOf(d)))
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

    /** Whose fingerprint directory this is; null if unknown (not a fingerprint directory, or pruned meanwhile by its project). */
    private static String projectOf(Path dir) {
        if (!Files.isRegularFile(dir.resolve(META))) {
            return null;
        }
        try {
            return readMeta(dir).get(PROJECT);
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    /** The fingerprint's inputs, without the bookkeeping ({@code created}, {@code project}). */
    private static Map<String, String> inputsOf(Path dir) {
        Map<String, String> map = readMeta(dir);
        map.remove(PROJECT);
        return map;
    }
}
