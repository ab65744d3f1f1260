package dev.cracdev.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The framework phase: preload the recorded framework class list into the system loader.
 *
 * <p>The list file has one class name a line, in the order the app loaded them. A line starting with
 * {@code -} names a class to load and link but <em>not</em> initialize, because its initializer was
 * caught reading app-root resources (see {@link CracDevClassLoader}); its initializer then runs in each
 * generation, seeing the current files. Classes that fail to load or initialize are skipped and
 * reported as tainted, so the next template leaves them uninitialized too: an initializer that failed
 * here would otherwise leave the class unusable in every generation.
 */
final class FrameworkPhase {
    record Result(int preloaded, int failed, long millis) {
    }

    private FrameworkPhase() {
    }

    static Result preload(Path classList, ClassLoader loader, java.util.Set<String> failedInit) {
        long t0 = System.nanoTime();
        int preloaded = 0;
        int failed = 0;
        List<String> lines;
        try {
            lines = classList == null || !Files.isRegularFile(classList) ? List.of() : Files.readAllLines(classList);
        } catch (IOException e) {
            lines = List.of(); // an unreadable list only costs speed
        }
        for (String line : lines) {
            String name = line.strip();
            boolean initialize = !name.startsWith("-");
            if (!initialize) {
                name = name.substring(1);
            }
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            try {
                Class.forName(name, initialize, loader);
                preloaded++;
            } catch (ClassNotFoundException | NoClassDefFoundError e) {
                failed++; // gone from the framework since the list was recorded
            } catch (LinkageError | RuntimeException e) {
                failed++;
                if (initialize) {
                    failedInit.add(name);
                }
            }
        }
        return new Result(preloaded, failed, (System.nanoTime() - t0) / 1_000_000);
    }
}
