package dev.cracdev.control;

import dev.cracdev.PrivateDirectories;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The directories of a control socket ({@link ControlAddress} says where it is): created 0700 where
 * missing, and the per-user one checked to be ours. Directories crac-dev did not create are never chmodded.
 */
public final class ControlDirectories {
    private ControlDirectories() {
    }

    /**
     * Creates the socket's missing directories (0700 each). Under the per-user directory, that one is
     * checked first: in a shared {@code /tmp} another user could have made it, or a symlink in its place.
     */
    public static void prepareDirectories(Path socket) throws IOException {
        prepareDirectories(socket, ControlAddress.userDir());
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

}
