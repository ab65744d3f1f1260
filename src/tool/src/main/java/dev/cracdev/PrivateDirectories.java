package dev.cracdev;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Creating directories as root without collateral damage: only the missing ones are created, each 0700;
 * a directory that already exists keeps its mode (it may be {@code /tmp}, {@code /} or the user's project).
 */
public final class PrivateDirectories {
    private PrivateDirectories() {
    }

    /** Creates {@code dir} and its missing parents, each 0700; returns whether {@code dir} itself was created. */
    public static boolean createMissing(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        boolean created = false;
        while (!missing.isEmpty()) {
            Path p = missing.pop();
            try {
                Files.createDirectory(p, privateMode());
                if (isPosix()) {
                    // the umask may have taken bits away; never added any: make it exactly 0700
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
                }
                created = p.equals(absolute);
            } catch (FileAlreadyExistsException raced) {
                if (!Files.isDirectory(p)) {
                    throw raced;
                }
                // someone else made it meanwhile: theirs, so left as it is
            }
        }
        return created;
    }

    public static boolean isPosix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<?>[] privateMode() {
        return isPosix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
    }
}
