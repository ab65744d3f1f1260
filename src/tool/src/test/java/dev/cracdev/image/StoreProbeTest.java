package dev.cracdev.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the doctor says about the image store's filesystem (a real write to a temporary directory). */
class StoreProbeTest {
    @TempDir
    Path tmp;

    @Test
    void networkAndSharedFilesystemsAreNamedSlowLocalOnesAreNot() {
        for (String remote : new String[] {"nfs4", "NFS", "cifs", "fuse.sshfs", "9p", "virtiofs"}) {
            assertTrue(StoreProbe.isRemote(remote), remote);
            assertTrue(new StoreProbe.Result(tmp, remote, true, 10).describe().contains("point --images at a local disk"));
        }
        for (String local : new String[] {"ext4", "xfs", "btrfs", "tmpfs", "overlay", "apfs"}) {
            assertFalse(StoreProbe.isRemote(local), local);
        }
        assertFalse(new StoreProbe.Result(tmp, "ext4", false, 100).slow(), "320 MB/s");
        assertTrue(new StoreProbe.Result(tmp, "ext4", false, 1000).slow(), "32 MB/s");
    }

    @Test
    void aStoreNotMadeYetIsProbedWhereItWouldBeMadeAndNothingIsLeftBehind() throws Exception {
        StoreProbe.Result r = StoreProbe.probe(tmp.resolve("checkpoints/not-yet"));
        assertEquals(tmp.toAbsolutePath().normalize(), r.checked());
        assertEquals(Files.getFileStore(tmp).type(), r.type());
        assertTrue(r.writeMillis() > 0);
        assertTrue(r.describe().startsWith(tmp.toAbsolutePath().normalize() + ": " + r.type()), r.describe());
        try (var left = Files.list(tmp)) {
            assertEquals(0, left.count(), "the probe's file is gone, and no directory was made");
        }
    }
}
