package dev.cracdev.engine.criu;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.engine.EngineKind;
import dev.cracdev.engine.GenerationRequest;
import dev.cracdev.engine.ImageEngine;
import dev.cracdev.engine.LaunchConfig;
import dev.cracdev.engine.TemplateBooter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Checkpoint/restore of a stock JDK with CRIU, driven from outside the JVM (recipe measured in
 * shared/notes/criu-jvm.md).
 *
 * <ol>
 *   <li>Template: {@code unshare --pid --fork setsid java -XX:-UsePerfData ...}: the JVM is PID 1 of its own
 *       pid namespace and a session leader, with three pipes from us as stdin/stdout/stderr. It runs the
 *       framework phase, prints {@code boundary} and blocks reading stdin.</li>
 *   <li>Dump: {@code criu dump -t <jvm host pid>} into a fresh directory, which is renamed to
 *       {@code base} once complete; the pipe inodes of fds 0–2 go into the image's metadata.</li>
 *   <li>Each generation: {@code criu restore} with {@code --inherit-fd} mapping fresh pipes onto the
 *       template's fds 0–2. CRIU recreates the pid namespace, so restores never collide on PIDs. The
 *       restored JVM's blocked read continues on the new stdin: it reads its {@code go} line and runs the
 *       app phase. To stop it we SIGKILL the JVM (the namespace's init: all in it dies), then reap criu.</li>
 * </ol>
 */
public final class CriuEngine extends ImageEngine {
    private static final List<String> STDIO = List.of("stdin", "stdout", "stderr");

    private final Path criu;

    public CriuEngine(LaunchConfig cfg, Console console, Duration restoreTimeout, Path criu) {
        super(cfg, console, restoreTimeout);
        this.criu = criu;
    }

    @Override
    public EngineKind kind() {
        return EngineKind.criu;
    }

    @Override
    protected Properties checkpointInto(Path dir) throws CracDevException, IOException, InterruptedException {
        TemplateBooter.Template template = TemplateBooter.boot(cfg, "criu",
                List.of(Criu.which("unshare").toString(), "--pid", "--fork", Criu.which("setsid").toString()),
                List.of("-XX:-UsePerfData"), "template", console);
        building(template.child());
        try {
            if (closed()) {
                throw new CracDevException(ExitCode.FAILURE, "stopped");
            }
            long jvm = template.child().process().children().findFirst()
                    .orElseThrow(() -> new CracDevException(ExitCode.INTERNAL, "the template JVM vanished before the dump"))
                    .pid();
            Properties meta = new Properties();
            for (int fd = 0; fd <= 2; fd++) {
                meta.setProperty(STDIO.get(fd), Files.readSymbolicLink(Path.of("/proc/" + jvm + "/fd/" + fd)).toString());
            }
            long d0 = System.nanoTime();
            Process dump = new ProcessBuilder(criu.toString(), "dump", "-t", Long.toString(jvm), "-D", dir.toString(),
                    "-o", "dump.log", "-v2").redirectErrorStream(true).redirectOutput(dir.resolve("dump.out").toFile()).start();
            dump.getOutputStream().close();
            if (!dump.waitFor(5, TimeUnit.MINUTES)) {
                dump.destroyForcibly().waitFor();
                throw new CracDevException(ExitCode.FAILURE, "criu dump did not finish within 5 minutes");
            }
            if (dump.exitValue() != 0) {
                throw new CracDevException(ExitCode.FAILURE, "criu could not checkpoint the framework phase"
                        + firstError(dir.resolve("dump.log"), "criu") + "; use --engine standby meanwhile");
            }
            meta.setProperty("frameworkMillis", Long.toString(template.bootMillis()));
            meta.setProperty("dumpMillis", Long.toString((System.nanoTime() - d0) / 1_000_000));
            meta.setProperty("preloaded", Integer.toString(template.preloaded()));
            return meta;
        } finally {
            template.child().kill(); // after a good dump CRIU already killed the JVM; this reaps unshare
        }
    }

    @Override
    protected List<String> restoreCommand(Path image, Properties meta, GenerationRequest request, Path work) {
        return List.of(criu.toString(), "restore", "-D", image.toString(), "-W", work.toString(), "-o", "restore.log", "-v2",
                "--inherit-fd", "fd[0]:" + meta.getProperty("stdin"),
                "--inherit-fd", "fd[1]:" + meta.getProperty("stdout"),
                "--inherit-fd", "fd[2]:" + meta.getProperty("stderr"));
    }

    @Override
    protected boolean goOnStdin() {
        return true;
    }

    @Override
    protected String restoreLogHint(Path work) {
        return work.resolve("restore.log").toString();
    }

    @Override
    protected String restoreError(Path work) {
        return firstError(work.resolve("restore.log"), "criu");
    }
}
