package dev.cracdev.supervisor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProjectTest {
    @TempDir
    Path tmp;

    @Test
    void theFeatureVersionComesFromTheJdksReleaseFile() throws Exception {
        assertEquals(25, Project.javaFeatureVersion(jdk("a", "JAVA_VERSION=\"25.0.1\"\nIMPLEMENTOR=\"Eclipse Adoptium\"")));
        assertEquals(17, Project.javaFeatureVersion(jdk("b", "JAVA_VERSION=\"17.0.15\"")));
        assertEquals(22, Project.javaFeatureVersion(jdk("c", "JAVA_VERSION=\"22\"")));
        assertEquals(0, Project.javaFeatureVersion(jdk("d", "IMPLEMENTOR=\"nobody\"")), "no version: unknown");
        assertEquals(0, Project.javaFeatureVersion(tmp.resolve("none/bin/java")), "no release file: unknown");
        assertEquals("Eclipse Adoptium 25.0.1", Project.javaVersion(tmp.resolve("a/bin/java")));
    }

    private Path jdk(String name, String release) throws Exception {
        Files.createDirectories(tmp.resolve(name + "/bin"));
        Files.writeString(tmp.resolve(name + "/release"), release);
        return tmp.resolve(name + "/bin/java");
    }
}
