package dev.cracdev.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassListTest {
    @TempDir
    Path tmp;

    @Test
    void mergeKeepsLoadOrderAndLoadOnlyMarksAndCountsOnlyNewClasses() throws Exception {
        ClassList list = new ClassList(tmp.resolve("classes.txt"));
        Path recorded = tmp.resolve("recorded");
        Files.write(recorded, List.of("a.A", "b.B"));
        assertEquals(2, list.merge(recorded));
        list.markLoadOnly(List.of("b.B"));
        Files.write(recorded, List.of("a.A", "b.B", "c.C"));
        assertEquals(1, list.merge(recorded));
        assertEquals(0, list.merge(recorded));
        assertEquals(List.of("a.A", "-b.B", "c.C"), Files.readAllLines(list.file()));
    }

    @Test
    void aClassTheGenerationDidNotInitializeIsMergedLoadOnlyAndAKnownClassKeepsItsMark() throws Exception {
        ClassList list = new ClassList(tmp.resolve("classes.txt"));
        Path recorded = tmp.resolve("recorded");
        Files.write(recorded, List.of("a.A", "-b.NeedsAMissingJar"));
        assertEquals(2, list.merge(recorded));
        Files.write(recorded, List.of("-a.A", "b.NeedsAMissingJar", "-c.C"));
        assertEquals(1, list.merge(recorded));
        assertEquals(List.of("a.A", "-b.NeedsAMissingJar", "-c.C"), Files.readAllLines(list.file()));
    }
}
