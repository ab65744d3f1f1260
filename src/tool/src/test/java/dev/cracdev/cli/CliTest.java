package dev.cracdev.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets one clear sentence and a documented exit code; nothing starts. */
class CliTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        return execute(CracDevCommand.commandLine(args), args);
    }

    private Result runWhole(String... args) {
        return execute(CracDevCommand.commandLine(), args);
    }

    private static Result execute(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path appRoot() throws Exception {
        Path app = tmp.resolve("classes");
        Files.createDirectories(app.resolve("app"));
        Files.write(app.resolve("app/Main.class"), new byte[] {(byte) 0xCA, (byte) 0xFE});
        return app;
    }

    private static void assertOneSentence(Result r, int code, String contains) {
        assertEquals(code, r.code(), r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, "one line: " + r.err());
        assertTrue(lines[0].startsWith("[crac-dev] [ERROR] "), r.err());
        assertTrue(lines[0].contains(contains), r.err());
    }

    @Test
    void anUnknownEngineIsAUsageError() throws Exception {
        assertOneSentence(run("start", "--engine", "warp", "--app", appRoot().toString(), "app.Main"), 2,
                "Invalid value for option '--engine'");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertOneSentence(run("start", "--frobnicate"), 2, "Unknown option: '--frobnicate'");
    }

    @Test
    void aMissingMainClassIsAUsageError() throws Exception {
        assertOneSentence(run("start", "--app", appRoot().toString()), 2, "missing main class");
        assertOneSentence(run("start", "--app", appRoot().toString(), "app.Nope"), 2,
                "main class app.Nope was not found in the app roots");
    }

    @Test
    void aMissingAppRootIsAUsageError() {
        assertOneSentence(run("start", "--app", tmp.resolve("nope").toString(), "app.Main"), 2,
                "app root " + tmp.resolve("nope") + " does not exist");
    }

    @Test
    void aMissingFrameworkEntryIsAUsageError() throws Exception {
        assertOneSentence(run("start", "-cp", tmp.resolve("missing.jar").toString(), "--app", appRoot().toString(), "app.Main"), 2,
                "framework class-path entry " + tmp.resolve("missing.jar") + " does not exist");
    }

    @Test
    void compileOnSaveOptionsNeedAnExistingSourceDirectory() throws Exception {
        assertOneSentence(run("start", "--app", appRoot().toString(), "--release", "17", "app.Main"), 2,
                "--resources, --compile-classpath and --release go with --source DIR");
        assertOneSentence(run("start", "--app", appRoot().toString(), "--source", tmp.resolve("nope").toString(), "app.Main"), 2,
                "--source " + tmp.resolve("nope") + " is not a directory");
    }

    @Test
    void aReadyUrlThatIsNoHttpUrlIsAUsageError() throws Exception {
        assertOneSentence(run("start", "--app", appRoot().toString(), "--ready-url", "notaurl", "app.Main"), 2,
                "--ready-url notaurl is not an http:// or https:// URL with a host");
        assertOneSentence(run("start", "--app", appRoot().toString(), "--ready-url", "localhost:8080/health", "app.Main"), 2,
                "--ready-url localhost:8080/health is not an http:// or https:// URL with a host");
    }

    @Test
    void aMissingJdkIsAnEnvironmentError() throws Exception {
        assertOneSentence(run("start", "--java", tmp.resolve("no-jdk").toString(), "--app", appRoot().toString(), "app.Main"), 3,
                "no java executable at");
    }

    @Test
    void helpListsTheExitCodesAndVersionPrintsTheVersion() {
        Result help = run("start", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Exit codes:") && help.out().contains("environment cannot run"), help.out());
        Result version = run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("crac-dev "), version.out());
    }

    /** Only the named command's model is built, and nothing a user sees changes for it. */
    @Test
    void eachCommandAloneHelpsAndFailsExactlyAsInTheWholeCommandLine() {
        for (String command : List.of("start", "run", "status", "restart", "reset", "wait", "stop", "doctor")) {
            for (String[] args : List.of(new String[] {command, "--help"}, new String[] {command, "--no-such-flag"})) {
                Result alone = run(args);
                Result whole = runWhole(args);
                assertEquals(whole, alone, String.join(" ", args));
            }
            assertEquals(List.of(command), List.copyOf(CracDevCommand.commandLine(new String[] {command}).getSubcommands().keySet()));
        }
        Result list = run("--help");
        for (String command : List.of("start", "run", "status", "reset", "doctor", "help")) {
            assertTrue(list.out().contains("  " + command + " "), list.out());
        }
        assertEquals(runWhole("help", "reset"), run("help", "reset"));
        assertEquals(runWhole("rest"), run("rest"), "a typo gets picocli's suggestions from all commands");
        assertTrue(run("rest").err().contains("reset"), run("rest").err());
    }

    /**
     * The argument lists scripts repeat run without picocli, and mean exactly what picocli makes of them
     * (the wait's default timeout included); any other list, near misses too, is left to picocli.
     */
    @Test
    void controlCommandsScriptsRepeatAreParsedWithoutPicocliToTheSameCommand() {
        List<String[]> direct = List.of(new String[] {"status"}, new String[] {"status", "--json"}, new String[] {"reset"},
                new String[] {"reset", "--wait"}, new String[] {"wait"}, new String[] {"restart"}, new String[] {"stop"});
        for (String[] args : direct) {
            ControlCommands mine = ControlCommands.direct(args);
            CommandLine.ParseResult parsed = CracDevCommand.commandLine(args).parseArgs(args);
            ControlCommands picocli = (ControlCommands) parsed.subcommand().commandSpec().userObject();
            String what = String.join(" ", args);
            assertEquals(picocli.getClass(), mine.getClass(), what);
            assertEquals(picocli.request(), mine.request(), what);
            assertEquals(picocli.where.client().socket(), mine.where.client().socket(), what);
            if (mine instanceof ControlCommands.Status status) {
                assertEquals(((ControlCommands.Status) picocli).json, status.json, what);
            } else if (mine instanceof ControlCommands.Wait wait) {
                assertEquals(((ControlCommands.Wait) picocli).timeoutSeconds, wait.timeoutSeconds, what);
            }
        }
        for (String[] args : List.of(new String[0], new String[] {"reset", "--wat"}, new String[] {"reset", "--wait", "--wait"},
                new String[] {"status", "--project", "."}, new String[] {"wait", "--timeout", "5"}, new String[] {"stop", "--help"},
                new String[] {"restart", "--json"}, new String[] {"start"}, new String[] {"--help"}, new String[] {"rest"})) {
            assertEquals(null, ControlCommands.direct(args), String.join(" ", args));
        }
    }
}
