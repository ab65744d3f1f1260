package dev.cracdev.supervisor;

import dev.cracdev.CracDevException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How zero configuration finds a Maven project's main class and the multi-module build it belongs to (the class
 * path is Maven's: see WarmSpringBootIT and MultiModuleIT).
 */
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

    @Test
    void aModuleBelongsToTheTopMostBuildThatListsIt() throws Exception {
        Files.writeString(dir.resolve("pom.xml"), "<project><modules><module>services</module><module>lib</module></modules></project>");
        Files.createDirectories(dir.resolve("services/api"));
        Files.createDirectories(dir.resolve("lib"));
        Files.writeString(dir.resolve("services/pom.xml"), "<project><modules>\n<module> api </module></modules></project>");
        Files.writeString(dir.resolve("services/api/pom.xml"), "<project/>");
        Files.writeString(dir.resolve("lib/pom.xml"), "<project/>");

        MavenProject.Reactor api = MavenProject.Reactor.of(dir.resolve("services/api"));
        assertEquals(dir.toAbsolutePath().normalize(), api.root());
        assertEquals(List.of(dir, dir.resolve("services"), dir.resolve("services/api"), dir.resolve("lib")).stream()
                .map(p -> p.toAbsolutePath().normalize()).toList(), api.modules());
        assertEquals(dir.resolve("lib").toAbsolutePath().normalize(), api.moduleOfClasses(dir.resolve("lib/target/classes")));
        assertNull(api.moduleOfClasses(dir.resolve("lib/target/lib-1.jar")));

        String before = api.pomHash();
        Files.writeString(dir.resolve("lib/pom.xml"), "<project><!-- edited --></project>");
        assertNotEquals(before, api.pomHash(), "a sibling's pom is part of the class path's cache key");
    }

    @Test
    void aPomNoBuildListsStandsAlone() throws Exception {
        Files.createDirectories(dir.resolve("other"));
        Files.writeString(dir.resolve("pom.xml"), "<project><modules><module>lib</module></modules></project>");
        Files.writeString(dir.resolve("other/pom.xml"), "<project/>");
        MavenProject.Reactor other = MavenProject.Reactor.of(dir.resolve("other"));
        assertEquals(dir.resolve("other").toAbsolutePath().normalize(), other.root());
        assertEquals(1, other.modules().size());
    }
}
