package dev.cracdev.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageStoreTest {
    @TempDir
    Path tmp;

    /** Opens {@code fp} as if it was used {@code minute} minutes after the epoch: distinct, ordered "last used" times. */
    private static Path openAt(ImageStore store, Fingerprint fp, int minute) throws Exception {
        Path dir = store.open(fp);
        Files.setLastModifiedTime(dir.resolve("meta.properties"), java.nio.file.attribute.FileTime.fromMillis(60_000L * (minute + 1)));
        return dir;
    }

    private static Fingerprint fp(String jar) {
        return Fingerprint.of(Map.of("framework[0]", jar + " 1 bytes sha256:" + jar));
    }

    @Test
    void storeIsPrivateIgnoredByGitAndKeepsTheNewestThree() throws Exception {
        ImageStore store = new ImageStore(tmp.resolve("checkpoints"), tmp);
        Fingerprint[] fps = {fp("a"), fp("b"), fp("c"), fp("d")};
        for (int i = 0; i < fps.length; i++) {
            openAt(store, fps[i], i);
            store.prune(fps[i]);
        }
        try (Stream<Path> dirs = Files.list(store.root())) {
            assertEquals(3, dirs.filter(Files::isDirectory).count());
        }
        assertFalse(Files.exists(store.root().resolve(fps[0].id())), "the oldest was pruned");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.root())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.root().resolve(fps[3].id()))));
        assertTrue(Files.readString(store.root().resolve(".gitignore")).contains("\n*\n"));
        assertTrue(store.previousInputs(fps[3]).isEmpty(), "the last run had the same fingerprint: nothing changed since");
        Fingerprint next = fp("e");
        Map<String, String> previous = store.previousInputs(next).orElseThrow();
        assertEquals(fps[3].inputs(), previous, "the previous run is the most recently used fingerprint");
        assertEquals("framework entry e changed", next.whatChangedSince(previous));
    }

    @Test
    void anExistingStoreRootKeepsItsModeAndGetsNoGitignoreButEachFingerprintDirectoryIsPrivateAndIgnored() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.setPosixFilePermissions(project, PosixFilePermissions.fromString("rwxr-xr-x"));
        ImageStore store = new ImageStore(project, project); // --images .
        Path dir = store.open(fp("a"));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(project)));
        assertFalse(Files.exists(project.resolve(".gitignore")), "the project is not hidden from git");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertTrue(Files.readString(dir.resolve(".gitignore")).contains("\n*\n"));
    }

    @Test
    void aMissingStoreRootIsCreatedPrivateWithItsMissingParentsOnly() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        ImageStore store = new ImageStore(tmp.resolve("build/images"), tmp);
        store.open(fp("a"));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("build"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.root())));
        assertTrue(Files.readString(store.root().resolve(".gitignore")).contains("\n*\n"));
    }

    @Test
    void pruneKeepsTheNewestThreePerProjectAndNeverTouchesAnotherProjectsImages() throws Exception {
        Path root = tmp.resolve("shared-images");
        ImageStore other = new ImageStore(root, tmp.resolve("other-project"));
        Fingerprint live = fp("live");
        openAt(other, live, 0);
        ImageStore mine = new ImageStore(root, tmp.resolve("my-project"));
        Fingerprint[] fps = {fp("a"), fp("b"), fp("c"), fp("d")};
        for (int i = 0; i < fps.length; i++) {
            openAt(mine, fps[i], i + 1);
            mine.prune(fps[i]);
        }
        assertTrue(Files.isDirectory(root.resolve(live.id())), "another project's image survives");
        assertFalse(Files.exists(root.resolve(fps[0].id())), "my oldest was pruned");
        for (int i = 1; i < 4; i++) {
            assertTrue(Files.isDirectory(root.resolve(fps[i].id())));
        }
        assertEquals(fps[3].inputs(), mine.previousInputs(fp("e")).orElseThrow(), "my previous run, not another project's");
        assertTrue(other.previousInputs(fp("e")).map(live.inputs()::equals).orElse(false), "theirs is its own previous run");
    }

    @Test
    void crashLeftoversOfThisProjectAreSweptWhenTheStoreIsOpened() throws Exception {
        Path root = tmp.resolve("shared-images");
        Fingerprint mineFp = fp("mine");
        Fingerprint theirsFp = fp("theirs");
        Path mine = new ImageStore(root, tmp.resolve("my-project")).open(mineFp);
        Path theirs = new ImageStore(root, tmp.resolve("other-project")).open(theirsFp);
        List<Path> leftovers = List.of(mine.resolve("base.building-123"), mine.resolve("base.old-456"),
                mine.resolve("ready-0123456789abcdef.bad-789"));
        for (Path p : leftovers) {
            Files.createDirectories(p);
            Files.writeString(p.resolve("pages-1.img"), "memory");
        }
        Path theirBuild = Files.createDirectories(theirs.resolve("base.building-999")); // in flight
        Path base = Files.createDirectories(mine.resolve("base"));

        new ImageStore(root, tmp.resolve("my-project")).open(mineFp); // the next supervisor of my project

        for (Path p : leftovers) {
            assertFalse(Files.exists(p), p + " was swept");
        }
        assertTrue(Files.isDirectory(base), "a published image stays");
        assertTrue(Files.isDirectory(theirBuild), "another project's build is not ours to sweep");
    }

    @Test
    void publishReplacesAnImageAtomicallyAndDiscardRemovesIt() throws Exception {
        Path base = tmp.resolve("base");
        Path first = ImageStore.newBuildDir(base);
        Files.writeString(first.resolve("pages-1.img"), "one");
        ImageStore.publish(first, base);
        Path second = ImageStore.newBuildDir(base);
        Files.writeString(second.resolve("pages-1.img"), "two");
        ImageStore.publish(second, base);
        assertEquals("two", Files.readString(base.resolve("pages-1.img")));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(1, left.count(), "no half-written or old directories left");
        }
        ImageStore.discard(base);
        assertFalse(Files.exists(base));
    }
}
