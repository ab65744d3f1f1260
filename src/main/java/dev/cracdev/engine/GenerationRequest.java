package dev.cracdev.engine;

import dev.cracdev.protocol.ChildProtocol;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a generation is told when it is released: its number, the main class and the args, and where to
 * write the framework classes it loaded (for the next template's preload).
 */
public record GenerationRequest(int number, String mainClass, List<String> args, Path recordClassesTo) {

    /** The {@code go} line for the child's stdin. */
    public String goLine(boolean restored) {
        List<String> kv = new ArrayList<>(List.of("gen", Integer.toString(number), "main", mainClass,
                "restored", Boolean.toString(restored), "record", recordClassesTo.toString()));
        for (String a : args) {
            kv.add("arg");
            kv.add(a);
        }
        return ChildProtocol.encode(ChildProtocol.GO, kv.toArray(new String[0]));
    }
}
