package dev.cracdev.engine.crac;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CheckpointException output as CRaC prints it (samples from crac.md §2.4) in plain words. */
class CracFailureTest {
    @Test
    void openFilesSocketsAndNativeResourcesAreNamedWithWhatToDo() {
        String stderr = """
                jdk.crac.CheckpointException
                \tat java.base/jdk.crac.Core.checkpointRestore1(Core.java:169)
                \tSuppressed: jdk.crac.impl.CheckpointOpenFileException: FileDescriptor 4 left open: /foo/bar (regular) Use -Djdk.crac.collect-fd-stacktraces=true to find the source.
                \t\tat java.base/jdk.crac.Core.translateJVMExceptions(Core.java:116)
                \tSuppressed: jdk.crac.impl.CheckpointOpenSocketException: Socket[addr=db/10.0.3.155,port=5432,localport=39960]
                \tSuppressed: jdk.crac.impl.CheckpointOpenResourceException: FD fd=61 type=unknown path=anon_inode:[eventpoll]
                """;
        List<String> causes = CracFailure.explain(stderr);
        assertEquals(3, causes.size(), causes.toString());
        assertEquals("a file was left open (FileDescriptor 4 left open: /foo/bar (regular)); close it before the boundary, "
                + "or find who opened it with --jvm-opt -Djdk.crac.collect-fd-stacktraces=true", causes.get(0));
        assertTrue(causes.get(1).startsWith("a network socket was left open (Socket[addr=db/10.0.3.155,port=5432"), causes.get(1));
        assertTrue(causes.get(2).contains("anon_inode:[eventpoll]") && causes.get(2).contains("event loop"), causes.get(2));
    }

    @Test
    void engineFailuresAndAMissingCheckpointDirectoryAreExplained() {
        assertEquals(List.of("the JDK's C/R engine failed (is $JAVA_HOME/lib/criu setuid root? see dump4.log in the image directory)"),
                CracFailure.explain("org.crac.CheckpointException\n\tSuppressed: java.lang.RuntimeException: Native checkpoint failed."));
        assertEquals(List.of("the JVM was started without -XX:CRaCCheckpointTo"),
                CracFailure.explain("jdk.crac.CheckpointException\nSuppressed: java.lang.RuntimeException: C/R is not configured"));
        assertEquals(List.of(), CracFailure.explain("nothing that looks like an exception"));
    }
}
