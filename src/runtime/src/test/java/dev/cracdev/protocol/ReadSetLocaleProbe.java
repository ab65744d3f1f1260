package dev.cracdev.protocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a JVM of its own, under a given locale: the state the read set gives a non-ASCII name in {@code args[0]},
 * and the state the {@link Path} way gives it (an exception's simple name where one is thrown).
 */
public final class ReadSetLocaleProbe {
    static final String NAME = "caf\u00e9.txt";

    private ReadSetLocaleProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        System.out.println("jnu " + System.getProperty("sun.jnu.encoding"));
        if (args.length > 1 && args[1].equals("create")) {
            Files.writeString(root.resolve(NAME), "c");
        }
        String viaPath;
        try {
            Path file = root.resolve(NAME).normalize();
            viaPath = Files.exists(file) ? "hash" : "-";
        } catch (RuntimeException e) {
            viaPath = e.getClass().getSimpleName();
        }
        String state;
        try {
            state = ReadSet.state(NAME, List.of(root));
            state = state.length() == 32 ? "hash" : state;
        } catch (RuntimeException e) {
            state = e.getClass().getSimpleName();
        }
        System.out.println("path " + viaPath);
        System.out.println("state " + state);
    }
}
