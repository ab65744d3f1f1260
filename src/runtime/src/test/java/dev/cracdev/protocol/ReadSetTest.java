package dev.cracdev.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The read set as the supervisor uses it: written by a template, read back, checked against the app roots. */
class ReadSetTest {
    @TempDir
    Path tmp;

    @Test
    void aReadSetReadBackFromItsFileSeesChangesInEveryAppRoot() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("target/classes"));
        Path sibling = Files.createDirectories(tmp.resolve("lib/target/classes"));
        List<Path> roots = List.of(classes, sibling);
        Files.writeString(sibling.resolve("app.conf"), "a=1");
        ReadSet written = ReadSet.empty();
        written.record("app.conf", roots);        // in the second root only
        written.record("logback.xml", roots);     // nowhere
        written.record("../outside.txt", roots);  // no class path lookup leaves its root
        written.record("app.conf", roots);        // recorded once, as first seen
        Path file = tmp.resolve("readset");
        written.write(file);

        ReadSet read = ReadSet.read(file);
        assertEquals(3, read.size());
        assertEquals(List.of(), read.changed(roots));
        Files.writeString(tmp.resolve("outside.txt"), "x");
        assertEquals(List.of(), read.changed(roots), "a file outside the roots is not the class path's business");
        Files.writeString(classes.resolve("app.conf"), "a=1"); // now shadows the sibling's copy
        Files.writeString(classes.resolve("logback.xml"), "<configuration/>");
        assertEquals(List.of("app.conf", "logback.xml"), read.changed(roots));
        assertEquals("app.conf and 1 more changed", ReadSet.describe(read.changed(roots)));
    }

    @Test
    void aMissingFileIsAnEmptyReadSet() throws Exception {
        assertEquals(0, ReadSet.read(tmp.resolve("none")).size());
    }
}
