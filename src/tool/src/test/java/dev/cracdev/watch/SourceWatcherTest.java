package dev.cracdev.watch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceWatcherTest {
    @TempDir
    Path tmp;

    @Test
    void aBurstOfWritesIsOneBatchAndSwapFilesAreIgnored() throws Exception {
        List<ChangeSet> batches = new CopyOnWriteArrayList<>();
        try (SourceWatcher w = new SourceWatcher(List.of(tmp), List.of("*.ignored"), Duration.ofMillis(300), batches::add)) {
            w.start();
            Thread.sleep(200); // the watch must be registered before the burst
            for (int i = 0; i < 200; i++) {
                Files.writeString(tmp.resolve("C" + (i % 10) + ".class"), "v" + i);
            }
            Files.writeString(tmp.resolve(".Main.java.swp"), "swap");
            Files.writeString(tmp.resolve("x.ignored"), "x");
            Files.createDirectory(tmp.resolve("proc.crtools")); // what a CRIU dump makes in the JVM's working directory
            Files.delete(tmp.resolve("proc.crtools"));
            await().atMost(Duration.ofSeconds(10)).until(() -> batches.size() == 1);
            Thread.sleep(600); // two more quiet periods: no second batch may follow
            assertEquals(1, batches.size());
            assertEquals(10, batches.get(0).changes().size());
            assertTrue(batches.get(0).summary().startsWith("10 changes ("), batches.get(0).summary());
        }
    }

    @Test
    void aRootDeletedAndMadeAgainLikeMvnCleanIsWatchedAgain() throws Exception {
        Path classes = tmp.resolve("target/classes");
        Files.createDirectories(classes);
        List<ChangeSet> batches = new CopyOnWriteArrayList<>();
        try (SourceWatcher w = new SourceWatcher(List.of(classes), List.of(), Duration.ofMillis(100), batches::add)) {
            w.start();
            Thread.sleep(200);
            dev.cracdev.image.ImageStore.deleteTree(tmp.resolve("target"));
            Thread.sleep(500); // mvn clean, then the compiler starting up
            Files.createDirectories(classes);
            await().atMost(Duration.ofSeconds(10)).until(() -> !batches.isEmpty()); // the new directory itself
            int before = batches.size();
            Thread.sleep(300);
            Files.writeString(classes.resolve("Main.class"), "recompiled");
            await().atMost(Duration.ofSeconds(10)).until(() -> batches.size() > before
                    && batches.get(batches.size() - 1).changes().containsKey(classes.resolve("Main.class")));
        }
    }

    @Test
    void aWatchedFileCountsButItsSiblingsDoNot() throws Exception {
        Path jar = tmp.resolve("dep.jar");
        Files.writeString(jar, "1");
        List<ChangeSet> batches = new CopyOnWriteArrayList<>();
        try (SourceWatcher w = new SourceWatcher(List.of(jar), List.of(), Duration.ofMillis(100), batches::add)) {
            w.start();
            Thread.sleep(200);
            Files.writeString(tmp.resolve("dep.pom"), "sibling");
            Thread.sleep(400);
            assertEquals(0, batches.size(), "a sibling of a watched file is not a change");
            Files.writeString(jar, "2");
            await().atMost(Duration.ofSeconds(10)).until(() -> batches.size() == 1);
            assertEquals(List.of(jar), List.copyOf(batches.get(0).changes().keySet()));
        }
    }
}
