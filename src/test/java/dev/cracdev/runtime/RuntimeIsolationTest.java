package dev.cracdev.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The runtime runs inside the user's JVM, ahead of the user's own class path: it may use nothing but
 * the JDK (and its own packages), or it would shadow or clash with the app's libraries.
 */
class RuntimeIsolationTest {
    private static final List<String> ALLOWED = List.of("java.", "javax.", "jdk.", "dev.cracdev.runtime.", "dev.cracdev.api.", "dev.cracdev.protocol.");

    @Test
    void runtimeAndApiImportOnlyTheJdkAndThemselves() throws IOException {
        List<String> offending = new ArrayList<>();
        List<Path> sources = new ArrayList<>();
        for (String pkg : List.of("runtime", "api", "protocol")) {
            try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/cracdev", pkg))) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(sources::add);
            }
        }
        assertFalse(sources.isEmpty(), "found the runtime sources");
        for (Path source : sources) {
            for (String line : Files.readAllLines(source)) {
                String l = line.strip();
                if (l.startsWith("import ")) {
                    String imported = l.replaceFirst("^import (static )?", "");
                    if (ALLOWED.stream().noneMatch(imported::startsWith)) {
                        offending.add(source.getFileName() + ": " + l);
                    }
                }
            }
        }
        assertEquals(List.of(), offending);
    }
}
