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

    @Test
    void aJavaReachedThroughALinkIsReadWhereTheLinkLeads() throws Exception {
        Path java = jdk("jdk-25", "JAVA_VERSION=\"25.0.1\"");
        Path usrBin = Files.createDirectories(tmp.resolve("usr/bin")); // as /usr/bin/java -> ... -> the JDK's bin/java
        Files.createSymbolicLink(usrBin.resolve("java"), java);
        assertEquals(25, Project.javaFeatureVersion(usrBin.resolve("java")));
    }

    private Path jdk(String name, String release) throws Exception {
        Path java = Files.createDirectories(tmp.resolve(name + "/bin")).resolve("java");
        Files.writeString(java, "");
        Files.writeString(tmp.resolve(name + "/release"), release);
        return java;
    }
}
