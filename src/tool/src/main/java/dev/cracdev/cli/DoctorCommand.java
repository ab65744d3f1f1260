package dev.cracdev.cli;

import dev.cracdev.CracDevException;
import dev.cracdev.engine.EngineKind;
import dev.cracdev.engine.criu.Criu;
import dev.cracdev.engine.Engines;
import dev.cracdev.supervisor.PortGate;
import dev.cracdev.supervisor.Project;
import dev.cracdev.image.StoreProbe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code crac-dev doctor}: which engines work here, why not, and the fix. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Report each engine as usable or not on this machine, with the reason and the fix.")
public final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--java", paramLabel = "JAVA", description = "The JDK to check (default: $JAVA_HOME, else the one running crac-dev).")
    String java;

    @Option(names = "--images", paramLabel = "DIR", defaultValue = "checkpoints",
            description = "The image store to check (default: ${DEFAULT-VALUE}, as 'start' uses).")
    Path images;

    @Override
    public Integer call() throws CracDevException {
        PrintWriter out = spec.commandLine().getOut();
        Path javaExe = Project.resolveJava(java);
        out.println("JDK: " + javaExe + " (" + Project.javaVersion(javaExe) + ")");
        for (Engines.Support s : Engines.survey(javaExe)) {
            out.printf("%-8s %-10s %s%n", s.kind(), s.usable() ? "usable" : "not usable", s.reason());
            if (!s.usable() && !s.fix().isEmpty()) {
                out.printf("%-8s %-10s fix: %s%n", "", "", s.fix());
            }
        }
        Engines.Choice auto = Engines.choose(EngineKind.auto, javaExe);
        out.println("auto     -> " + auto.kind() + " (" + auto.reason() + ")");
        Criu.Probe criu = Criu.probe();
        if (criu.usable()) {
            out.println("restores " + (Criu.lazyPages(criu.binary())
                    ? "lazy: the JVM runs while its memory is copied in (" + Criu.LAZY_ENV + "=off: eager)"
                    : "eager: the whole memory is filled before the JVM runs (" + ("off".equalsIgnoreCase(System.getenv(Criu.LAZY_ENV))
                    ? Criu.LAZY_ENV + "=off" : "no userfaultfd: criu check --feature uffd-noncoop") + ")"));
            out.println("criu     " + Criu.kernelData(criu.binary()));
        }
        out.println("port     " + PortGate.onThisMachine().describe());
        try {
            out.println("images   " + StoreProbe.probe(images).describe());
        } catch (IOException e) {
            out.println("images   " + images + ": cannot write there (" + e.getMessage() + "); point --images at a writable local directory");
        }
        out.flush();
        return 0;
    }
}
