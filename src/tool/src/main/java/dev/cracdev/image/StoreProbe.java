package dev.cracdev.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Set;

/**
 * What the image store sits on, for {@code crac-dev doctor}: every checkpoint writes an image of the process's
 * memory (hundreds of MB for a framework app) and every restore reads it, so a network or slow filesystem
 * costs on each change and each reset. Measures a 32 MB write with fsync, the way a checkpoint lands.
 */
public final class StoreProbe {
    /** Filesystem types whose data travels over a network or through a VM's file-sharing channel. */
    private static final Set<String> REMOTE = Set.of("nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p",
            "afs", "ceph", "glusterfs", "lustre", "gpfs", "beegfs", "fuse.sshfs", "sshfs", "davfs", "fuse.s3fs",
            "virtiofs", "fuse.gcsfuse", "fuse.rclone", "vboxsf", "prl_fs", "vmhgfs", "fuse.vmhgfs-fuse");
    private static final int PROBE_BYTES = 32 << 20;
    /** Below this a checkpoint of a framework app (200-300 MB) takes seconds just to land. */
    private static final long SLOW_MB_PER_S = 100;

    /** The store's directory (or its nearest existing parent), its filesystem type and how fast it took 32 MB. */
    public record Result(Path checked, String type, boolean remote, long writeMillis) {
        public long megabytesPerSecond() {
            return writeMillis <= 0 ? Long.MAX_VALUE : (PROBE_BYTES >> 20) * 1000L / writeMillis;
        }

        public boolean slow() {
            return remote || megabytesPerSecond() < SLOW_MB_PER_S;
        }

        /** One line for the doctor: what it is and, when slow, what to do. */
        public String describe() {
            String what = checked + ": " + type + (remote ? ", a network or shared filesystem" : ", local")
                    + "; 32 MB written and synced in " + writeMillis + " ms (" + megabytesPerSecond() + " MB/s)";
            return slow() ? what + " — images are written on every checkpoint and read on every restore: point"
                    + " --images at a local disk" : what;
        }
    }

    private StoreProbe() {
    }

    public static boolean isRemote(String fileSystemType) {
        return REMOTE.contains(fileSystemType.toLowerCase(Locale.ROOT));
    }

    /** Probes {@code store}; when it does not exist yet, the directory it would be made in. */
    public static Result probe(Path store) throws IOException {
        Path dir = store.toAbsolutePath().normalize();
        while (!Files.isDirectory(dir) && dir.getParent() != null) {
            dir = dir.getParent();
        }
        FileStore fs = Files.getFileStore(dir);
        Path scratch = Files.createTempFile(dir, ".crac-dev-probe-", ".tmp");
        try {
            ByteBuffer block = ByteBuffer.allocate(1 << 20);
            for (int i = 0; i < block.capacity(); i++) {
                block.put(i, (byte) (i * 31 + 7)); // not zeros: some filesystems compress or skip them
            }
            long t0 = System.nanoTime();
            try (FileChannel ch = FileChannel.open(scratch, StandardOpenOption.WRITE)) {
                for (int written = 0; written < PROBE_BYTES; written += block.capacity()) {
                    block.rewind();
                    while (block.hasRemaining()) {
                        ch.write(block);
                    }
                }
                ch.force(true);
            }
            long ms = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
            return new Result(dir, fs.type(), isRemote(fs.type()), ms);
        } finally {
            Files.deleteIfExists(scratch);
        }
    }
}
