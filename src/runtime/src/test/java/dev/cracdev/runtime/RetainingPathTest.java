package dev.cracdev.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The retaining path of a real heap dump of this JVM. */
class RetainingPathTest {
    static final List<Object> HOLDER = new ArrayList<>();

    static final class Leaked {
    }

    @TempDir
    Path tmp;

    @Test
    void thePathStartsAtTheStaticThatHoldsTheObjectAndTheDumpIsDeleted() throws Exception {
        HOLDER.add(new Leaked());
        String path = RetainingPath.describe(Leaked.class.getName(), tmp);
        // the shortest path from a GC root: whatever reaches this class, then its static
        assertTrue(path.contains("dev.cracdev.runtime.RetainingPathTest.HOLDER (static) -> java.util.ArrayList.elementData"
                + " -> java.lang.Object[][0] -> "), path);
        assertTrue(path.endsWith("-> dev.cracdev.runtime.RetainingPathTest$Leaked"), path);
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(0, left.count(), "the heap dump holds process memory: it must not stay");
        }
    }

    @Test
    void anObjectNobodyHoldsHasNoPath() {
        String path = RetainingPath.describe("no.such.Type", tmp);
        assertTrue(path.startsWith("no retaining path (no instance of no/such/Type"), path);
    }
}
