package dev.cracdev.engine.crac;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns CRaC's {@code CheckpointException} causes (from the runtime's report, or from the JVM's own
 * stderr) into plain words: what was left open and what to do (shared/notes/crac.md §2.4).
 */
public final class CracFailure {
    private static final Pattern CAUSE = Pattern.compile("(?:Suppressed: |Caused by: )?((?:[a-zA-Z_$][\\w$]*\\.)+([\\w$]+(?:Exception|Error)))(?::\\s*(.*))?");

    private CracFailure() {
    }

    /** One sentence per distinct cause found in {@code text}; empty when none is recognised. */
    public static List<String> explain(String text) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : text.split("\\R")) {
            Matcher m = CAUSE.matcher(line.strip());
            if (!m.lookingAt()) {
                continue;
            }
            String type = m.group(2);
            String message = m.group(3) == null ? "" : m.group(3).strip();
            String sentence = switch (type) {
                case "CheckpointOpenFileException" -> "a file was left open (" + message.replaceFirst("\\s*Use -Djdk\\.crac.*$", "")
                        + "); close it before the boundary, or find who opened it with --jvm-opt -Djdk.crac.collect-fd-stacktraces=true";
                case "CheckpointOpenSocketException" -> "a network socket was left open (" + message
                        + "); connections must be opened after the boundary (in the app phase)";
                case "CheckpointOpenResourceException" -> "a native resource was left open (" + message
                        + "); e.g. an epoll event loop started by a framework before the boundary";
                case "CheckpointException", "RestoreException" -> null; // the wrapper: its suppressed causes say more
                default -> {
                    if (message.contains("Native checkpoint failed")) {
                        yield "the JDK's C/R engine failed (is $JAVA_HOME/lib/criu setuid root? see dump4.log in the image directory)";
                    }
                    if (message.contains("C/R is not configured")) {
                        yield "the JVM was started without -XX:CRaCCheckpointTo";
                    }
                    if (message.contains("Recursive checkpoint")) {
                        yield "a Resource asked for a checkpoint from inside a checkpoint notification";
                    }
                    yield type + (message.isEmpty() ? "" : ": " + message);
                }
            };
            if (sentence != null && !line.strip().startsWith("at ")) {
                out.add(sentence);
            }
        }
        return new ArrayList<>(out);
    }
}
