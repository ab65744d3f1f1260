package dev.cracdev.supervisor;

import dev.cracdev.CracDevException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How zero configuration finds a Maven project's main class (the class path is Maven's: see WarmSpringBootIT). */
class MavenProjectTest {
    @TempDir
    Path dir;

    private String main(String pom) throws Exception {
        Files.writeString(dir.resolve("pom.xml"), pom);
        return MavenProject.mainClass(dir, dir.resolve("pom.xml"), new ArrayList<>());
    }

    private void source(String path, String text) throws Exception {
        Path f = dir.resolve("src/main/java").resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    @Test
    void thePomSaysItFirst() throws Exception {
        source("a/Other.java", "package a; public class Other { public static void main(String[] args) { } }");
        assertEquals("com.example.App", main("<project><properties><start-class>com.example.App</start-class></properties></project>"));
        assertEquals("x.Exec", main("<project><properties><exec.mainClass>x.Exec</exec.mainClass></properties></project>"));
    }

    @Test
    void elseTheOneClassWithMainAndASpringBootApplicationWinsOverHelpers() throws Exception {
        source("a/Tool.java", "package a;\npublic class Tool { public static void main(String[] args) { } }");
        assertEquals("a.Tool", main("<project/>"));
        source("a/App.java", "package a;\n@SpringBootApplication\npublic class App { public static void main(String[] args) { } }");
        assertEquals("a.App", main("<project/>"));
    }

    @Test
    void twoCandidatesOrNoneIsOnePlainSentence() throws Exception {
        source("a/One.java", "package a; public class One { public static void main(String[] args) { } }");
        source("b/Two.java", "package b; public class Two { public static void main(String[] args) { } }");
        CracDevException two = assertThrows(CracDevException.class, () -> main("<project/>"));
        assertTrue(two.getMessage().startsWith("more than one class with main (a.One, b.Two)"), two.getMessage());
        Files.delete(dir.resolve("src/main/java/a/One.java"));
        Files.delete(dir.resolve("src/main/java/b/Two.java"));
        CracDevException none = assertThrows(CracDevException.class, () -> main("<project/>"));
        assertTrue(none.getMessage().startsWith("no main class found"), none.getMessage());
    }

    @Test
    void aDirectoryWithoutAPomIsNoMavenProject() throws Exception {
        assertNull(MavenProject.detect(dir, null));
    }
}
