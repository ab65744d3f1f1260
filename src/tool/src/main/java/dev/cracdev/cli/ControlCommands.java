package dev.cracdev.cli;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.control.ControlClient;
import dev.cracdev.supervisor.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** The commands that talk to a running supervisor over its control socket: one request, its reply printed. */
abstract class ControlCommands implements Callable<Integer> {
    @Mixin
    ControlOptions where;
    @Spec
    CommandSpec spec;
    /** Where replies go when the command runs without picocli ({@link #direct}). */
    private PrintWriter directOut;

    /**
     * The command for the argument lists that scripts repeat in loops, or null for any other: those run
     * without picocli, which builds its model of a command by reflection, ~0.2 s of CPU that doubled the
     * cost of a {@code crac-dev reset --wait} from a script (measured: 0.43 against 0.21 s of CPU; a bare JVM
     * is 0.12 s). Anything more (another option, a properties file with defaults) is picocli's to parse.
     */
    static ControlCommands direct(String[] args) {
        if (args.length == 0 || args.length > 2 || Files.exists(Path.of(CracDevCommand.PROPERTIES))) {
            return null;
        }
        String flag = args.length == 2 ? args[1] : "";
        ControlCommands command = switch (args[0]) {
            case "status" -> {
                Status status = new Status();
                status.json = flag.equals("--json");
                yield status.json || flag.isEmpty() ? status : null;
            }
            case "reset" -> {
                Reset reset = new Reset();
                reset.await = flag.equals("--wait");
                yield reset.await || flag.isEmpty() ? reset : null;
            }
            case "wait" -> {
                Wait wait = new Wait();
                wait.timeoutSeconds = Long.parseLong(Wait.DEFAULT_TIMEOUT);
                yield flag.isEmpty() ? wait : null;
            }
            case "restart" -> flag.isEmpty() ? new Restart() : null;
            case "stop" -> flag.isEmpty() ? new Stop() : null;
            default -> null;
        };
        if (command != null) {
            command.where = new ControlOptions();
        }
        return command;
    }

    /** Runs a {@link #direct} command: the output, error sentence and exit code that picocli's run gives. */
    int runDirectly() {
        directOut = new PrintWriter(new OutputStreamWriter(System.out, Console.stdoutCharset()), true);
        try {
            return call();
        } catch (Exception e) {
            PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, Console.stderrCharset()), true);
            return CracDevCommand.reportFailure(e, err, false);
        } finally {
            directOut.flush();
        }
    }

    PrintWriter out() {
        return spec != null ? spec.commandLine().getOut() : directOut;
    }

    /** The request line (see {@link dev.cracdev.control.Protocol}). */
    abstract String request();

    /** Prints the supervisor's reply; commands with more to do override it. */
    void print(String reply) throws CracDevException {
        out().println(Console.system(false).printable(reply));
    }

    @Override
    public Integer call() throws Exception {
        print(send(request()));
        out().flush();
        return 0;
    }

    /** Sends the request; a refusal or an absent supervisor becomes a CracDevException with the right code. */
    String send(String request) throws CracDevException {
        ControlClient client = where.client();
        try {
            ControlClient.Reply reply = client.send(request);
            if (!reply.ok()) {
                throw new CracDevException(ExitCode.FAILURE, reply.text());
            }
            return reply.text();
        } catch (ControlClient.NotRunning e) {
            throw new CracDevException(ExitCode.NOT_RUNNING, e.getMessage());
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "talking to the supervisor at " + client.socket() + " failed: " + e.getMessage());
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the running supervisor's engine, generation, PID, uptime, images and last timings.")
    static final class Status extends ControlCommands {
        @Option(names = "--json", description = "Print one JSON object (for scripts).")
        boolean json;

        @Override
        String request() {
            return "status";
        }

        @Override
        void print(String reply) throws CracDevException {
            if (json) {
                super.print(reply);
                return;
            }
            for (Map.Entry<String, String> e : Json.parse(reply).entrySet()) {
                out().printf("%-11s %s%n", e.getKey(), e.getValue());
            }
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true,
            description = "Start a new generation now (as if a file changed); returns when it is ready.")
    static final class Restart extends ControlCommands {
        @Override
        String request() {
            return "restart";
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = {"Back to a pristine running app: restore the ready image (taken once the app was up with its "
                    + "fixture loaded). Engines without ready images start a fresh generation instead, and say so.",
                    "Without --wait it returns as soon as the reset is under way."})
    static final class Reset extends ControlCommands {
        @Option(names = "--wait", description = "Return when the app is ready again.")
        boolean await;

        @Override
        String request() {
            return await ? "reset" : "reset nowait";
        }
    }

    @Command(name = "wait", mixinStandardHelpOptions = true,
            description = {"Block until the app is ready: the current generation, or the one being started "
                    + "(exit 1 if it fails to start or on timeout).",
                    "Also waits for the supervisor to come up, so 'crac-dev start ... & crac-dev wait' works."})
    static final class Wait extends ControlCommands {
        static final String DEFAULT_TIMEOUT = "120";

        @Option(names = "--timeout", defaultValue = DEFAULT_TIMEOUT, paramLabel = "SECONDS",
                description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
        long timeoutSeconds;
        private long deadline;

        @Override
        String request() {
            return "wait " + Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        }

        @Override
        public Integer call() throws Exception {
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (true) {
                try {
                    return super.call();
                } catch (CracDevException e) {
                    if (e.exitCode() != ExitCode.NOT_RUNNING) {
                        throw e;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new CracDevException(ExitCode.NOT_RUNNING, "no crac-dev supervisor came up within "
                                + timeoutSeconds + " s (" + e.getMessage() + ")");
                    }
                    Thread.sleep(50); // the supervisor is starting: its socket appears in a moment
                }
            }
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop the supervisor and every JVM it started.")
    static final class Stop extends ControlCommands {
        @Override
        String request() {
            return "stop";
        }

        /** The supervisor removes its socket last, once every process it started is gone: wait for that. */
        @Override
        void print(String reply) throws CracDevException {
            Path socket = where.client().socket();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try {
                while (Files.exists(socket)) {
                    if (System.nanoTime() > deadline) {
                        throw new CracDevException(ExitCode.FAILURE, "the supervisor did not stop within 30 s (it may be writing an image); "
                                + "see 'crac-dev status', or end its process");
                    }
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            super.print("stopped");
        }
    }
}
