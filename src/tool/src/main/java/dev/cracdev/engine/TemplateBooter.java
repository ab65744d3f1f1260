package dev.cracdev.engine;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.image.ClassList;
import dev.cracdev.runtime.Boot;
import dev.cracdev.runtime.Training;
import dev.cracdev.protocol.ChildProtocol;
import dev.cracdev.protocol.ReadSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Boots a template JVM through its framework phase to the boundary, for every engine that has one.
 *
 * <p>Framework initializers run here, and may read app files: the template comes back with its
 * {@link ReadSet}, which keys whatever is made of it (an image, a standby) on what they read. Only an
 * initializer that loads an app <em>class</em> cannot run before the boundary: the runtime reports it
 * (tainted), it is marked load-only in the class list — remembered for every later template and
 * standby — and the template is booted again. Each round can only add classes.
 *
 * <p>A template may train the app (see the README's "Warm framework phase") once a generation has recorded
 * the class list (so not the project's first one); if the training run cannot
 * prove the app gone, that JVM is not used: the reason is remembered beside the class list, said once,
 * and this and every later template of the project boot untrained.
 */
public final class TemplateBooter {
    private static final int MAX_ROUNDS = 6;
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(10);

    /** A template parked at the boundary; its events carry {@code token}, and so do those of its images until their go line. */
    public record Template(ChildProcess child, long bootMillis, int preloaded, String token, ReadSet readSet,
                           long trainedMillis) {
    }

    private TemplateBooter() {
    }

    /**
     * @param prefix  command words before {@code java} (e.g. {@code unshare --pid --fork setsid})
     * @param started told each template JVM as soon as it is started, so its owner can end it while it boots
     */
    public static Template boot(LaunchConfig cfg, String mode, List<String> prefix, List<String> engineOptions,
                                String name, Console console, Consumer<ChildProcess> started) throws CracDevException {
        ClassList classList = new ClassList(cfg.classList());
        // the first template (no class list recorded yet) does not train: every framework static initializer
        // would run first under the training app and may keep it (an exception made there holds its stack,
        // app frames included: the example's H2 does), and the run costs a cold start before the first
        // generation; the next template, with the class list the first generation records, trains
        boolean trainingOff = !hasClasses(cfg.classList());
        for (int round = 1; ; round++) {
            List<String> command = new ArrayList<>(prefix);
            List<String> options = new ArrayList<>(engineOptions);
            if (trainingOff || Files.exists(untrainedMarker(cfg))) {
                options.add("-D" + Training.OFF_PROPERTY + "=true");
            }
            if (round == MAX_ROUNDS) {
                // still not settled: preload without running any initializer (safe, slower generations)
                options.add("-D" + Boot.INITIALIZE_PROPERTY + "=false");
            }
            String token = ChildProtocol.newToken();
            Path readSetFile = cfg.stateDir().resolve("readset-" + token.substring(0, 12) + ".tmp");
            options.add("-D" + Boot.READ_SET_PROPERTY + "=" + readSetFile);
            command.addAll(JvmCommand.build(cfg, mode, options, token));
            long t0 = System.nanoTime();
            ChildProcess child;
            try {
                child = ChildProcess.start(name, command, cfg.workDir(), console, false, token);
                started.accept(child);
            } catch (IOException e) {
                throw new CracDevException(ExitCode.UNSUPPORTED,
                        "could not start " + cfg.java() + " (" + e.getMessage() + "); check --java or JAVA_HOME");
            }
            ChildProtocol.Message m;
            try {
                m = child.await(Set.of(ChildProtocol.BOUNDARY, ChildProtocol.TAINTED, ChildProtocol.REFUSED,
                        ChildProtocol.UNTRAINED), BOOT_TIMEOUT);
            } catch (InterruptedException e) {
                child.kill();
                Thread.currentThread().interrupt();
                throw new CracDevException(ExitCode.FAILURE, "interrupted while the framework phase ran");
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            if (m != null && m.word().equals(ChildProtocol.BOUNDARY)) {
                ReadSet readSet = takeReadSet(readSetFile, child);
                console.debug(name + " reached the boundary in " + millis + " ms, preloaded " + m.get("preloaded")
                        + " classes (" + m.get("failed") + " failed), " + readSet.size() + " app-root lookups, "
                        + (m.getInt("trained", -1) >= 0 ? "trained in " + m.get("trained") + " ms (" + m.get("runs")
                        + (m.getInt("runs", 0) == 1 ? " run)" : " runs)")
                        : "untrained: " + m.get("untrained")));
                return new Template(child, millis, m.getInt("preloaded", 0), token, readSet, m.getInt("trained", -1));
            }
            deleteQuietly(readSetFile);
            child.kill();
            if (m == null) {
                throw new CracDevException(ExitCode.FAILURE, "the framework phase did not reach the boundary within "
                        + BOOT_TIMEOUT.toMinutes() + " minutes; run with --verbose to see its output");
            }
            if (m.word().equals(ChildProtocol.UNTRAINED)) {
                trainingOff = true;
                try {
                    Files.writeString(untrainedMarker(cfg), m.get("message") + System.lineSeparator());
                } catch (IOException e) {
                    throw new CracDevException(ExitCode.FAILURE, "could not write " + untrainedMarker(cfg) + ": " + e.getMessage());
                }
                console.info("training the app in the framework phase failed (" + m.get("message") + "); templates of this"
                        + " project start untrained (delete " + untrainedMarker(cfg) + " to try again): rebooting the template");
                continue;
            }
            if (m.word().equals(ChildProtocol.REFUSED)) {
                throw new CracDevException(ExitCode.FAILURE, m.get("message"));
            }
            if (m.word().equals(ChildProcess.EXITED)) {
                throw new CracDevException(ExitCode.FAILURE, "the framework phase JVM exited with status "
                        + m.get("status") + " before the boundary; its last output:" + System.lineSeparator()
                        + child.recentOutput());
            }
            List<String> tainted = Arrays.asList(m.get("classes").split(","));
            try {
                classList.markLoadOnly(tainted);
            } catch (IOException e) {
                throw new CracDevException(ExitCode.FAILURE, "could not update the class list " + cfg.classList()
                        + ": " + e.getMessage());
            }
            console.info("framework classes whose static initializers loaded an app class or failed (" + summary(tainted)
                    + ") are now only loaded ahead; they initialize in each generation instead" + (round + 1 == MAX_ROUNDS
                    ? "; as they keep coming, the next template preloads without running any initializer"
                    : "") + ": rebooting the template");
            if (round >= MAX_ROUNDS) {
                throw new CracDevException(ExitCode.INTERNAL, "the framework phase reported app-class loads even "
                        + "without initializers; please report it with --verbose output");
            }
        }
    }

    /** Whether a class list was recorded yet (a template without one preloads nothing and does not train). */
    public static boolean hasClasses(Path classList) {
        try {
            return Files.size(classList) > 0;
        } catch (IOException e) {
            return false; // none recorded yet
        }
    }

    /** Beside the class list: why training failed for this project (exists: templates boot untrained). */
    public static Path untrainedMarker(LaunchConfig cfg) {
        return cfg.stateDir().resolve("untrained.txt");
    }

    private static ReadSet takeReadSet(Path file, ChildProcess child) throws CracDevException {
        try {
            return ReadSet.read(file);
        } catch (IOException e) {
            child.kill();
            throw new CracDevException(ExitCode.FAILURE, "could not read what the framework phase read (" + file + "): "
                    + e.getMessage());
        } finally {
            deleteQuietly(file);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover .tmp file is swept with the image store's crash leftovers
        }
    }

    private static String summary(List<String> classes) {
        return classes.size() <= 3 ? String.join(", ", classes)
                : String.join(", ", classes.subList(0, 3)) + " and " + (classes.size() - 3) + " more";
    }
}
