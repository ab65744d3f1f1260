package dev.cracdev.engine.criu;

import dev.cracdev.engine.Host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * CRIU's cache of what it learnt about the kernel, kept where our CRIU looks for it. Without it every criu
 * process (dump, restore, page server, check) probes the kernel first: ~50 ms each here, ~100 ms of a lazy
 * restore, which runs two. CRIU writes the cache itself only on a tmpfs, so that it dies with the boot; the
 * CRIU scripts/install-criu builds keeps it in {@code run/} beside the binary, which this class fills once
 * per boot (stamped with the boot id) from a {@code criu check} run over a private tmpfs. Binaries without
 * such a directory (a distribution's criu keeps its cache in /run) are left alone.
 */
final class KernelDataCache {
    static final String FILE = "criu.kdat";
    private static final String STAMP = "boot-id";
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private KernelDataCache() {
    }

    /**
     * The cache directory of this binary, if it was built with one: scripts/install-criu makes {@code run/}
     * beside it, root's and private (checking the binary for the path would cost a 6 MB read, ~40 ms a start).
     */
    static Path directory(Path binary) {
        Path dir = binary.toAbsolutePath().getParent().resolve("run");
        try {
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isDirectory() && a.owner().getName().equals("root")
                    && a.permissions().equals(PosixFilePermissions.fromString("rwx------")) ? dir : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * Makes sure the cache of {@code binary} is there and from this boot; returns whether it is. Failing is
     * harmless (criu probes the kernel itself), so this never throws.
     */
    static boolean prepare(Path binary) {
        Path dir = directory(binary);
        return dir != null && fill(binary, dir);
    }

    private static boolean fill(Path binary, Path dir) {
        try {
            String boot = Files.readString(BOOT_ID).strip();
            Path cache = dir.resolve(FILE);
            Path stamp = dir.resolve(STAMP);
            if (Files.exists(cache) && Files.size(cache) > 0 && Files.exists(stamp) && Files.readString(stamp).strip().equals(boot)) {
                return true;
            }
            // another boot's (maybe another kernel's) cache, or none: a fresh one from a criu check whose
            // view of this directory is a tmpfs, copied out through a descriptor opened before the mount
            Files.deleteIfExists(cache);
            Files.deleteIfExists(dir.resolve(FILE + ".tmp")); // a criu that could not save leaves it behind
            Path fresh = dir.resolve(FILE + "." + ProcessHandle.current().pid() + ".new");
            Host.output(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                    "umask 077 && exec 3>\"$1\" && mount -t tmpfs -o mode=0700,size=1m crac-dev-kdat \"$2\" && \"$0\" check >/dev/null 2>&1;"
                            + " cat \"$2/" + FILE + "\" >&3",
                    binary.toString(), fresh.toString(), dir.toString()), 20);
            if (!Files.exists(fresh) || Files.size(fresh) == 0) {
                Files.deleteIfExists(fresh);
                return false;
            }
            Files.writeString(stamp, boot + "\n");
            Files.move(fresh, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** One line for {@code crac-dev doctor}. */
    static String describe(Path binary) {
        Path dir = directory(binary);
        if (dir == null) {
            return "kernel probed at every criu start (~50 ms each): " + binary + " keeps no cache of its own"
                    + " (the criu scripts/install-criu builds does)";
        }
        return fill(binary, dir) ? "kernel data cached for this boot in " + dir.resolve(FILE) + " (each criu process starts ~50 ms sooner)"
                : "kernel probed at every criu start (~50 ms each): could not fill " + dir.resolve(FILE);
    }
}
