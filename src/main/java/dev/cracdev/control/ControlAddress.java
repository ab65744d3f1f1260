package dev.cracdev.control;

import dev.cracdev.PrivateDirectories;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Where a project's supervisor listens: {@code $XDG_RUNTIME_DIR/crac-dev-<user>/<hash of the project
 * directory>/control.sock} (else under {@code /tmp}), so every command run in the project finds it
 * without configuration; {@code CRACDEV_SOCKET} overrides (relative to the working directory). The
 * per-user directory must be a real directory of ours, 0700; the socket is 0600: only its owner can talk
 * to the supervisor. Directories crac-dev did not create are never chmodded.
 */
public final class ControlAddress {
    /** Environment variable (and, for the JUnit extension, system property {@code cracdev.socket}). */
    public static final String ENV = "CRACDEV_SOCKET";
    public static final String PROPERTY = "cracdev.socket";

    private ControlAddress() {
    }

    /** The socket of the project in {@code projectDir}, honouring {@code CRACDEV_SOCKET}. */
    public static Path forProject(Path projectDir) {
        String explicit = System.getenv(ENV);
        if (explicit != null && !explicit.isBlank()) {
            return explicit(explicit);
        }
        return defaultFor(projectDir);
    }

    static Path explicit(String value) {
        return Path.of(value).toAbsolutePath();
    }

    static Path defaultFor(Path projectDir) {
        return userDir().resolve(hash(projectDir.toAbsolutePath().normalize().toString())).resolve("control.sock");
    }

    /** The directory all of this user's default sockets live in. */
    static Path userDir() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        Path base = runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))
                ? Path.of(runtime) : Path.of(System.getProperty("java.io.tmpdir"));
        String user = System.getProperty("user.name").replaceAll("[^A-Za-z0-9_.-]", "_");
        return base.toAbsolutePath().resolve("crac-dev-" + user);
    }

    /**
     * Creates the socket's missing directories (0700 each). Under the per-user directory, that one is
     * checked first: in a shared {@code /tmp} another user could have made it, or a symlink in its place.
     */
    public static void prepareDirectories(Path socket) throws IOException {
        prepareDirectories(socket, userDir());
    }

    static void prepareDirectories(Path socket, Path userDir) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (userDir != null && dir.startsWith(userDir)) {
            if (!Files.exists(userDir, LinkOption.NOFOLLOW_LINKS)) {
                PrivateDirectories.createMissing(userDir);
            }
            requireOurs(userDir);
        }
        PrivateDirectories.createMissing(dir);
    }

    /** The per-user directory must be a real directory, owned by us, closed to others (tightened if it is ours). */
    private static void requireOurs(Path dir) throws IOException {
        if (!PrivateDirectories.isPosix()) {
            return;
        }
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new IOException(dir + " vanished while it was being created; try again");
        }
        String what = "set CRACDEV_SOCKET (or XDG_RUNTIME_DIR) to a directory of your own";
        if (attrs.isSymbolicLink() || !attrs.isDirectory()) {
            throw new IOException(dir + " is " + (attrs.isSymbolicLink() ? "a symbolic link" : "not a directory")
                    + ", not a private directory of yours; remove it, or " + what);
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        long me = new com.sun.security.auth.module.UnixSystem().getUid();
        if (owner != me) {
            throw new IOException(dir + " belongs to another user (uid " + owner + "); remove it, or " + what);
        }
        Set<PosixFilePermission> open = attrs.permissions();
        open.retainAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE));
        if (!open.isEmpty()) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------")); // ours: ours to tighten
        }
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
