package dev.cracdev.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a project's supervisor listens: {@code $XDG_RUNTIME_DIR/crac-dev-<uid>/<hash of the project
 * directory>/control.sock} (else under {@code /tmp}), so every command run in the project finds it
 * without configuration; {@code CRACDEV_SOCKET} overrides. Both directories are 0700 and the socket
 * 0600: only its owner can talk to the supervisor.
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
            return Path.of(explicit);
        }
        return defaultFor(projectDir);
    }

    static Path defaultFor(Path projectDir) {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        Path base = runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))
                ? Path.of(runtime) : Path.of(System.getProperty("java.io.tmpdir"));
        String user = System.getProperty("user.name").replaceAll("[^A-Za-z0-9_.-]", "_");
        return base.resolve("crac-dev-" + user).resolve(hash(projectDir.toAbsolutePath().normalize().toString()))
                .resolve("control.sock");
    }

    /** Creates the socket's directories, 0700 each (the parent is shared by all of a user's projects). */
    public static void prepareDirectories(Path socket) throws IOException {
        for (Path dir : new Path[] {socket.getParent().getParent(), socket.getParent()}) {
            Files.createDirectories(dir);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
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
