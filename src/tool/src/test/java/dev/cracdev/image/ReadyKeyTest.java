package dev.cracdev.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** A ready image is the app as started: the same code and fixtures started another way is another image. */
class ReadyKeyTest {
    @TempDir
    Path tmp;

    @Test
    void mainClassArgumentsAndFixtureHookArePartOfTheKey() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        Files.writeString(classes.resolve("App.class"), "code");
        Path fixture = Files.writeString(tmp.resolve("data.sql"), "insert");
        List<Path> roots = List.of(classes);
        List<Path> fixtures = List.of(fixture);
        String key = ReadyKey.of(roots, fixtures, "app.Main", List.of("8080"), "app.Fixture");
        assertEquals(key, ReadyKey.of(roots, fixtures, "app.Main", List.of("8080"), "app.Fixture"), "stable");
        assertNotEquals(key, ReadyKey.of(roots, fixtures, "app.OtherMain", List.of("8080"), "app.Fixture"), "main class");
        assertNotEquals(key, ReadyKey.of(roots, fixtures, "app.Main", List.of("9090"), "app.Fixture"), "arguments");
        assertNotEquals(key, ReadyKey.of(roots, fixtures, "app.Main", List.of("80", "80"), "app.Fixture"), "argument split");
        assertNotEquals(ReadyKey.of(roots, fixtures, "app.Main", List.of("a b"), null),
                ReadyKey.of(roots, fixtures, "app.Main", List.of("a", "b"), null), "argument boundaries");
        assertNotEquals(key, ReadyKey.of(roots, fixtures, "app.Main", List.of("8080"), null), "fixture hook");
        assertNotEquals(key, ReadyKey.of(roots, fixtures, "app.Main", List.of("8080"), "app.OtherFixture"), "fixture hook");
    }
}
