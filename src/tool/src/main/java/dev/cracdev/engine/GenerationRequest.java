package dev.cracdev.engine;

import dev.cracdev.protocol.ChildProtocol;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a generation is told when it is released: its number, the main class and the args, where to
 * write the framework classes it loaded (for the next template's preload), and its own secret token for
 * its events (see {@link ChildProtocol}).
 */
public record GenerationRequest(int number, String mainClass, List<String> args, Path recordClassesTo, String token) {

    /** A request with a fresh token. */
    public GenerationRequest(int number, String mainClass, List<String> args, Path recordClassesTo) {
        this(number, mainClass, args, recordClassesTo, ChildProtocol.newToken());
    }

    /**
     * A file that exists while the generation's shutdown hooks have not all run: the runtime registers it
     * with {@code deleteOnExit}, which the JDK runs after every application shutdown hook. Once it is gone,
     * what is left of a graceful stop is the JVM's own exit, which can wait ~300 ms for threads in native
     * code (a server's selector): the supervisor kills the JVM then instead of waiting.
     */
    public Path exitFlag() {
        return exitFlag(recordClassesTo.getParent(), number);
    }

    /** Generation {@code number}'s exit flag in the image store's state directory {@code dir}. */
    public static Path exitFlag(Path dir, int number) {
        return dir.resolve("gen-" + number + ".hooks-pending");
    }

    /** The {@code go} line for the child's stdin; send it with {@link ChildProcess#release}, which switches to the token. */
    public String goLine(boolean restored) {
        List<String> kv = new ArrayList<>(List.of("gen", Integer.toString(number), "main", mainClass,
                "restored", Boolean.toString(restored), "record", recordClassesTo.toString(), "token", token,
                "exitflag", exitFlag().toString()));
        for (String a : args) {
            kv.add("arg");
            kv.add(a);
        }
        return ChildProtocol.encode(ChildProtocol.GO, kv.toArray(new String[0]));
    }
}
