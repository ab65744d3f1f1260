package dev.cracdev.cli;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.control.ControlAddress;
import dev.cracdev.engine.Engines;
import dev.cracdev.supervisor.ReadinessProbe;
import dev.cracdev.supervisor.ReadyImages;
import dev.cracdev.supervisor.StartSettings;
import dev.cracdev.supervisor.Supervisor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code crac-dev run [options] --main CLASS -- COMMAND...}: for CI acceptance stages. Starts the app,
 * waits until it is ready (and its ready image taken), runs COMMAND with {@code CRACDEV_SOCKET} (and
 * {@code CRACDEV_URL}) in its environment, stops everything and exits with COMMAND's exit code.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Start the app, wait until it is ready, run COMMAND against it, stop everything, and exit with "
                + "COMMAND's exit code. COMMAND gets CRACDEV_SOCKET (for 'crac-dev reset' and the JUnit extension) and, "
                + "with --ready-url, CRACDEV_URL."})
public final class RunCommand implements Callable<Integer> {
    @Mixin
    StartOptions options;

    @Option(names = "--main", descriptionKey = "main", paramLabel = "CLASS", description = "Your app's main class.")
    String mainClass;

    @Option(names = "--arg", paramLabel = "ARG", description = "An argument for main (repeatable).")
    List<String> args = new ArrayList<>();

    @Option(names = "--ready-timeout", defaultValue = "300", paramLabel = "SECONDS",
            description = "Give up when the app is not ready after this many seconds (default: ${DEFAULT-VALUE}).")
    long readyTimeoutSeconds;

    @Option(names = {"-v", "--verbose"}, description = "Show details and stack traces.")
    boolean verbose;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command to run against the ready app (after --).")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (options.readyImages == ReadyImages.auto) {
            options.readyImages = ReadyImages.on; // a CI run is what resets are for
        }
        StartSettings settings = options.resolve(mainClass, args, false);
        Console console = Console.system(verbose);
        options.detected.forEach(line -> console.info("Maven project: " + line));
        Engines.Choice choice = Engines.choose(settings.engine(), settings.java());
        Supervisor supervisor = new Supervisor(settings, choice, console);
        CracDevException[] failure = new CracDevException[1];
        Thread loop = new Thread(() -> {
            try {
                supervisor.run();
            } catch (CracDevException e) {
                failure[0] = e;
            }
        }, "crac-dev-supervisor");
        loop.start();
        try {
            try {
                supervisor.firstReady().get(readyTimeoutSeconds, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                supervisor.stop(); // it would wait for a fix; a CI run fails now
                loop.join(TimeUnit.SECONDS.toMillis(30));
                if (failure[0] != null) {
                    throw failure[0];
                }
                throw new CracDevException(ExitCode.FAILURE, "the app never became ready: " + e.getCause().getMessage()
                        + "; see its output above");
            } catch (TimeoutException e) {
                throw new CracDevException(ExitCode.FAILURE, "the app was not ready after " + readyTimeoutSeconds
                        + " s; see its output above, or raise --ready-timeout");
            }
            console.info("app ready; running " + String.join(" ", command));
            ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
            pb.environment().put(ControlAddress.ENV, supervisor.controlSocket().toString());
            if (settings.probe() instanceof ReadinessProbe.Url url) {
                pb.environment().put("CRACDEV_URL", url.url().toString());
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new CracDevException(ExitCode.USAGE, "cannot run " + command.get(0) + ": " + e.getMessage());
            }
            int code = p.waitFor();
            console.info(command.get(0) + " exited with status " + code + "; stopping");
            return code;
        } finally {
            supervisor.stop();
            loop.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
