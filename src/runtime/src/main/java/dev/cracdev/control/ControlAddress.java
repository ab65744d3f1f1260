package dev.cracdev.control;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a project's supervisor listens: {@code $XDG_RUNTIME_DIR/crac-dev-<user>/<hash of the project
 * directory>/control.sock} (else under {@code /tmp}), so every command run in the project finds it
 * without configuration; {@code CRACDEV_SOCKET} overrides (relative to the working directory). The
 * per-user directory must be a real directory of ours, 0700; the socket is 0600: only its owner can talk
 * to the supervisor (the tool's {@code ControlDirectories} makes sure of it). JDK only: the JUnit extension
 * finds the socket with it.
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

    public static Path explicit(String value) {
        return Path.of(value).toAbsolutePath();
    }

    public static Path defaultFor(Path projectDir) {
        return userDir().resolve(hash(projectDir.toAbsolutePath().normalize().toString())).resolve("control.sock");
    }

    /** The directory all of this user's default sockets live in. */
    public static Path userDir() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        Path base = runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))
                ? Path.of(runtime) : Path.of(System.getProperty("java.io.tmpdir"));
        String user = System.getProperty("user.name").replaceAll("[^A-Za-z0-9_.-]", "_");
        return base.toAbsolutePath().resolve("crac-dev-" + user);
    }

    /**
     * 64-bit FNV-1a of the path's UTF-8 bytes, in hex: a name, not a secret (the directory's owner and mode
     * are what protect the socket). Not SHA-256: setting up the JDK's security providers for it cost every
     * control command ~30-60 ms.
     */
    private static String hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        String hex = Long.toHexString(h);
        return "0".repeat(16 - hex.length()) + hex;
    }
}
