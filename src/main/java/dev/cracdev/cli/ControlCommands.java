package dev.cracdev.cli;

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
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/** The commands that talk to a running supervisor over its control socket. */
final class ControlCommands {
    private ControlCommands() {
    }

    /** Sends one request; a refusal or an absent supervisor becomes a CracDevException with the right code. */
    static String send(ControlOptions where, String request) throws CracDevException {
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

    /** Sends the request and prints the supervisor's reply. */
    static int sendAndPrint(ControlOptions where, CommandSpec spec, String request) throws CracDevException {
        PrintWriter out = spec.commandLine().getOut();
        out.println(send(where, request));
        out.flush();
        return 0;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the running supervisor's engine, generation, PID, uptime, images and last timings.")
    static final class Status implements Callable<Integer> {
        @Mixin
        ControlOptions where;
        @Spec
        CommandSpec spec;
        @Option(names = "--json", description = "Print one JSON object (for scripts).")
        boolean json;

        @Override
        public Integer call() throws CracDevException {
            String reply = send(where, "status");
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(reply);
            } else {
                for (Map.Entry<String, String> e : Json.parse(reply).entrySet()) {
                    out.printf("%-11s %s%n", e.getKey(), e.getValue());
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true,
            description = "Start a new generation now (as if a file changed); returns when it is ready.")
    static final class Restart implements Callable<Integer> {
        @Mixin
        ControlOptions where;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws CracDevException {
            return sendAndPrint(where, spec, "restart");
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = {"Back to a pristine running app: restore the ready image (taken once the app was up with its "
                    + "fixture loaded). Engines without ready images start a fresh generation instead, and say so.",
                    "Without --wait it returns as soon as the reset is under way."})
    static final class Reset implements Callable<Integer> {
        @Mixin
        ControlOptions where;
        @Spec
        CommandSpec spec;
        @Option(names = "--wait", description = "Return when the app is ready again.")
        boolean await;

        @Override
        public Integer call() throws CracDevException {
            return sendAndPrint(where, spec, await ? "reset" : "reset nowait");
        }
    }

    @Command(name = "wait", mixinStandardHelpOptions = true,
            description = "Block until a generation is ready (exit 1 on timeout).")
    static final class Wait implements Callable<Integer> {
        @Mixin
        ControlOptions where;
        @Spec
        CommandSpec spec;
        @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS",
                description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Override
        public Integer call() throws CracDevException {
            return sendAndPrint(where, spec, "wait " + timeoutSeconds * 1000);
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop the supervisor and every JVM it started.")
    static final class Stop implements Callable<Integer> {
        @Mixin
        ControlOptions where;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws CracDevException, InterruptedException {
            send(where, "stop");
            // the supervisor removes its socket last, once every process it started is gone
            java.nio.file.Path socket = where.client().socket();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (java.nio.file.Files.exists(socket)) {
                if (System.nanoTime() > deadline) {
                    throw new CracDevException(ExitCode.FAILURE, "the supervisor did not stop within 30 s");
                }
                Thread.sleep(20);
            }
            spec.commandLine().getOut().println("stopped");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
