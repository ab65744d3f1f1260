package dev.cracdev.engine.crac;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.engine.ChildProcess;
import dev.cracdev.engine.EngineKind;
import dev.cracdev.engine.GenerationRequest;
import dev.cracdev.engine.ImageEngine;
import dev.cracdev.engine.LaunchConfig;
import dev.cracdev.engine.TemplateBooter;
import dev.cracdev.protocol.ChildProtocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Checkpoint/restore by a CRaC JDK itself (Azul Zulu CRaC and other openjdk/crac builds), written from
 * the documented behaviour in shared/notes/crac.md (no CRaC JDK can be obtained on our machines).
 *
 * <ol>
 *   <li>Template: {@code java -XX:CRaCCheckpointTo=<new dir> -XX:-UsePerfData ...}; the runtime runs the
 *       framework phase, verifies the boundary and calls {@code jdk.crac.Core.checkpointRestore()} on
 *       its main thread. Success: the template exits (137 under CRIU: the dump kills it), then the image is
 *       renamed into place only once its writers are gone and it is complete ({@link CracImage}: the
 *       legacy engine writes {@code cppath} after criu exited). Failure: the runtime reports the
 *       {@code CheckpointException} causes, shown in plain words.</li>
 *   <li>Each generation: {@code java -XX:CRaCRestoreFrom=<image> -XX:CRaCCheckpointTo=<scratch>
 *       -Dcracdev.go=<go line>}. Only restore-settable flags are passed (anything else makes the restore
 *       exit 1); the scratch checkpoint directory keeps a stray re-checkpoint from overwriting the image
 *       (one for all generations, emptied before each restore and swept at engine start and close).
 *       The generation data arrives as a restore-time system property, applied before
 *       {@code checkpointRestore()} returns. Output arrives on the restoring launcher's fresh pipes.</li>
 *   <li>Stop: the restoring launcher stays as the restored JVM's parent ({@code restorewait}) and does not
 *       forward SIGKILL, so the JVM (its descendant) is killed first, then the launcher is reaped
 *       ({@link ChildProcess#kill()} kills descendants deepest first).</li>
 * </ol>
 */
public final class CracEngine extends ImageEngine {
    /** The -XX flags a CRaC JDK accepts at restore (crac.md §3.1); any other makes the restore exit 1. */
    public static final Set<String> RESTORE_SETTABLE = Set.of("CRaCCheckpointTo", "CRaCRestoreFrom", "CRaCEngine",
            "CRaCEngineOptions", "CRaCIgnoredFileDescriptors", "CRaCIgnoreRestoreIfUnavailable", "CRTrace",
            "UnlockExperimentalVMOptions");
    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofMinutes(5);
    /** From the template's exit to the image being complete (criu exits, then the legacy helper writes cppath). */
    private static final Duration IMAGE_COMPLETION = Duration.ofSeconds(30);

    /** The restored generation's own CRaCCheckpointTo: one for all generations (only one runs at a time). */
    static final String SCRATCH = "crac-scratch";
    /** What earlier versions used instead: one {@code discard-<generation>} per generation, never deleted. */
    private static final String OLD_SCRATCH_PREFIX = "discard-";

    public CracEngine(LaunchConfig cfg, Console console, Duration restoreTimeout) {
        super(cfg, console, restoreTimeout);
        sweepScratch(); // left by an earlier run (or an earlier version, one per generation)
    }

    @Override
    public EngineKind kind() {
        return EngineKind.crac;
    }

    /** The template's extra JVM options: where the image goes, no shared perf-data file. */
    static List<String> templateOptions(Path dir) {
        return List.of("-XX:CRaCCheckpointTo=" + dir, "-XX:-UsePerfData");
    }

    /** The user's engine choice, if any, is repeated at restore; every other user option is frozen in the image. */
    static List<String> restoreCommand(Path java, List<String> userOptions, Path image, Path scratch, String goLine) {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-XX:CRaCRestoreFrom=" + image, "-XX:CRaCCheckpointTo=" + scratch));
        for (String o : userOptions) {
            if (o.startsWith("-XX:") && RESTORE_SETTABLE.contains(flagName(o)) && !o.startsWith("-XX:CRaCCheckpointTo")
                    && !o.startsWith("-XX:CRaCRestoreFrom")) {
                cmd.add(o);
            }
        }
        cmd.add("-Dcracdev.go=" + goLine);
        return cmd;
    }

    /** "-XX:+Foo", "-XX:-Foo", "-XX:Foo=bar" → "Foo". */
    static String flagName(String option) {
        String s = option.substring(4);
        if (s.startsWith("+") || s.startsWith("-")) {
            s = s.substring(1);
        }
        int eq = s.indexOf('=');
        return eq < 0 ? s : s.substring(0, eq);
    }

    @Override
    protected Properties checkpointInto(Path dir) throws CracDevException, IOException, InterruptedException {
        TemplateBooter.Template template = TemplateBooter.boot(cfg, "crac", List.of(), templateOptions(dir), "template",
                console, this::building);
        ChildProcess child = template.child();
        long d0 = System.nanoTime();
        try {
            ChildProtocol.Message m = child.await(Set.of(ChildProtocol.REFUSED), CHECKPOINT_TIMEOUT);
            if (m == null) {
                throw new CracDevException(ExitCode.FAILURE, "the CRaC checkpoint did not finish within "
                        + CHECKPOINT_TIMEOUT.toMinutes() + " minutes");
            }
            if (m.word().equals(ChildProtocol.REFUSED)) {
                throw new CracDevException(ExitCode.FAILURE, "the CRaC JDK could not checkpoint the framework phase: "
                        + explain(m.get("message") + "\n" + child.recentOutput()));
            }
            awaitImage(dir, CracImage.legacyEngine(cfg.java()), "the CRaC template exited with status " + m.get("status"),
                    child);
            Properties meta = new Properties();
            meta.setProperty("frameworkMillis", Long.toString(template.bootMillis()));
            meta.setProperty("dumpMillis", Long.toString((System.nanoTime() - d0) / 1_000_000));
            meta.setProperty("preloaded", Integer.toString(template.preloaded()));
            saveReadSet(template, dir, meta);
            return meta;
        } finally {
            child.kill();
        }
    }

    /**
     * Returns once nothing writes into {@code dir} any more and the image is complete (see {@link CracImage}):
     * only then may it be renamed into place. The template has exited when this is called.
     */
    private void awaitImage(Path dir, boolean legacyEngine, String what, ChildProcess template)
            throws CracDevException, IOException, InterruptedException {
        long deadline = System.nanoTime() + IMAGE_COMPLETION.toNanos();
        while (true) {
            String missing = CracImage.writerAlive(dir) ? "its checkpoint helper is still running"
                    : CracImage.missing(dir, legacyEngine);
            if (missing == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new CracDevException(ExitCode.FAILURE, what + " but the image in " + dir + " is incomplete ("
                        + missing + "): " + explain(template.recentOutput()));
            }
            Thread.sleep(20);
        }
    }

    private static String explain(String text) {
        List<String> causes = CracFailure.explain(text);
        return causes.isEmpty() ? "no cause was reported; run with --verbose" : String.join("; ", causes);
    }

    @Override
    protected RestoreCommand restoreCommand(Path image, Properties meta, GenerationRequest request, Path work) {
        // The JDK creates CRaCCheckpointTo only when the generation checkpoints again (crac.cpp
        // crac::checkpoint_restore -> ensure_checkpoint_dir; prepare_checkpoint removes what its check
        // created), and then fills it with a whole image that nothing deletes: emptied before each
        // generation, whose predecessor is stopped by now.
        sweepScratch();
        return RestoreCommand.plain(restoreCommand(cfg.java(), cfg.jvmOptions(), image, work.resolve(SCRATCH),
                request.goLine(true)));
    }

    /** Deletes the generations' checkpoint scratch directories (stray re-checkpoints: whole images). */
    void sweepScratch() {
        Path work = work();
        if (!Files.isDirectory(work)) {
            return;
        }
        try (Stream<Path> files = Files.list(work)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.equals(SCRATCH) || name.startsWith(OLD_SCRATCH_PREFIX)) {
                    deleteQuietly(f);
                }
            }
        } catch (IOException e) {
            console.debug("could not sweep " + work + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        super.close();
        sweepScratch();
    }

    @Override
    protected boolean goOnStdin() {
        return false;
    }

    @Override
    protected String restoreLogHint(Path work) {
        return "the restore's output above";
    }

    @Override
    protected String restoreError(Path work) {
        return "";
    }
}
