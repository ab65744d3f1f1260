package dev.cracdev.cli;

import dev.cracdev.control.ControlAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * scripts/crac-dev answers reset, reset --wait and restart through scripts/lib/control-client.pl (no JVM
 * start): against a stand-in supervisor on the socket where the JVM client looks, it must send the same
 * request and print, byte for byte, what the JVM client prints, with the same exit code. The launcher runs
 * with /bin/false as its Java, so any answer proves the JVM was not needed.
 */
class ScriptedControlClientTest {
    private static final Path SCRIPTS = Path.of("../../scripts").toAbsolutePath().normalize();

    @TempDir
    Path tmp;
    private Path project;
    private Path runtimeDir;

    private record Outcome(String request, int code, String out, String err) {
    }

    @BeforeEach
    void requirePerl() throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "the Perl client runs on Linux only");
        assumeTrue(run(List.of("perl", "-MIO::Socket::UNIX", "-e", "1"), tmp, Map.of()).code() == 0,
                "no perl with IO::Socket::UNIX here: scripts/crac-dev uses the JVM client");
        project = Files.createDirectories(tmp.resolve("project")).toRealPath();
        runtimeDir = Files.createDirectories(tmp.resolve("xdg"));
    }

    /** Where the JVM client looks for the project's supervisor with $XDG_RUNTIME_DIR set to {@link #runtimeDir}. */
    private Path defaultSocket() {
        String hash = ControlAddress.defaultFor(project).getParent().getFileName().toString();
        String user = System.getProperty("user.name").replaceAll("[^A-Za-z0-9_.-]", "_");
        return runtimeDir.resolve("crac-dev-" + user).resolve(hash).resolve("control.sock");
    }

    @Test
    void resetWaitGoesToTheProjectsSupervisorAndPrintsItsReply() throws Exception {
        Outcome fast = viaScript(defaultSocket(), "ok generation 9 ready in 93 ms", Map.of(), "reset", "--wait");
        assertEquals(new Outcome("reset", 0, "generation 9 ready in 93 ms\n", ""), fast);
        assertEquals(fast, viaJvm(defaultSocket(), "ok generation 9 ready in 93 ms", Map.of(), "reset", "--wait"));
    }

    @Test
    void resetWithoutWaitAndRestartSendTheirOwnRequests() throws Exception {
        Outcome reset = viaScript(defaultSocket(), "ok reset requested", Map.of(), "reset");
        assertEquals(new Outcome("reset nowait", 0, "reset requested\n", ""), reset);
        assertEquals(reset, viaJvm(defaultSocket(), "ok reset requested", Map.of(), "reset"));
        Outcome restart = viaScript(defaultSocket(), "ok generation 3 ready in 1.2 s", Map.of(), "restart");
        assertEquals("restart", restart.request());
        assertEquals(restart, viaJvm(defaultSocket(), "ok generation 3 ready in 1.2 s", Map.of(), "restart"));
    }

    @Test
    void aRefusalIsOneErrorLineAndExitCodeOneInEveryLocale() throws Exception {
        String reply = "err gen 4 exited with status 1 before it was ready · see its output – fix it";
        for (String locale : List.of("C.UTF-8", "C")) {
            Map<String, String> env = Map.of("LC_ALL", locale);
            Outcome fast = viaScript(defaultSocket(), reply, env, "reset", "--wait");
            assertEquals(1, fast.code(), fast.toString());
            assertTrue(fast.err().startsWith("[crac-dev] [ERROR] gen 4 exited"), fast.toString());
            assertEquals(fast, viaJvm(defaultSocket(), reply, env, "reset", "--wait"), "locale " + locale);
        }
    }

    @Test
    void separatorsInAReplyBecomeAsciiWhereTheLocaleCannotShowThem() throws Exception {
        String reply = "ok generation 5 ready in 90 ms · ready image 61 ms → 0.5× µs";
        Outcome fast = viaScript(defaultSocket(), reply, Map.of("LC_ALL", "C"), "reset", "--wait");
        assertEquals("generation 5 ready in 90 ms - ready image 61 ms -> 0.5x us\n", fast.out());
        assertEquals(fast, viaJvm(defaultSocket(), reply, Map.of("LC_ALL", "C"), "reset", "--wait"));
    }

    @Test
    void aSupervisorThatHangsUpWithoutAReplyIsAnError() throws Exception {
        Outcome fast = viaScript(defaultSocket(), null, Map.of(), "restart");
        assertEquals(1, fast.code(), fast.toString());
        assertEquals(fast, viaJvm(defaultSocket(), null, Map.of(), "restart"));
    }

    @Test
    void cracdevSocketRelativeToTheWorkingDirectoryWins() throws Exception {
        Path socket = project.resolve("run/ctl.sock");
        Map<String, String> env = Map.of("CRACDEV_SOCKET", "run/ctl.sock");
        Outcome fast = viaScript(socket, "ok generation 2 ready in 80 ms", env, "reset", "--wait");
        assertEquals(0, fast.code(), fast.toString());
        assertEquals(fast, viaJvm(socket, "ok generation 2 ready in 80 ms", env, "reset", "--wait"));
    }

    @Test
    void withoutASupervisorOrForOtherCommandsItSendsNothingAndLeavesThemToTheJvm() throws Exception {
        Path client = SCRIPTS.resolve("lib/control-client.pl");
        for (List<String> args : List.of(List.of("reset", "--wait"), List.of("status"), List.of("reset", "--socket", "x"),
                List.of("stop"))) {
            List<String> command = new ArrayList<>(List.of("perl", client.toString()));
            command.addAll(args);
            Outcome o = run(command, project, env(Map.of()));
            assertEquals(new Outcome(null, 100, "", ""), o, "perl client " + args);
        }
        Files.writeString(project.resolve("crac-dev.properties"), "socket=elsewhere.sock\n");
        Outcome withProperties = viaScriptExpectingNoRequest(List.of("perl", client.toString(), "reset"));
        assertEquals(100, withProperties.code(), "a properties file may name another socket: " + withProperties);
    }

    private Outcome viaScriptExpectingNoRequest(List<String> command) throws Exception {
        Path socket = defaultSocket();
        Files.createDirectories(socket.getParent());
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            return run(command, project, env(Map.of()));
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    private Outcome viaScript(Path socket, String reply, Map<String, String> extraEnv, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SCRIPTS.resolve("crac-dev").toString()));
        command.addAll(List.of(args));
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.put("CRACDEV_LAUNCHER_JAVA", "/bin/false"); // a JVM client would fail: only the Perl one can answer
        return serveOnce(socket, reply, command, env);
    }

    private Outcome viaJvm(Path socket, String reply, Map<String, String> extraEnv, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), "dev.cracdev.Main"));
        command.addAll(List.of(args));
        return serveOnce(socket, reply, command, extraEnv);
    }

    /** Runs the command while a stand-in supervisor answers one request with {@code reply} (null: hangs up). */
    private Outcome serveOnce(Path socket, String reply, List<String> command, Map<String, String> extraEnv) throws Exception {
        Files.createDirectories(socket.getParent());
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = server.accept()) {
                    String line = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8)).readLine();
                    if (reply != null) {
                        c.write(StandardCharsets.UTF_8.encode(reply + "\n"));
                    }
                    return line;
                } catch (IOException e) {
                    return "failed: " + e;
                }
            });
            Outcome o = run(command, project, env(extraEnv));
            return new Outcome(request.get(30, TimeUnit.SECONDS), o.code(), o.out(), o.err());
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    private Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("XDG_RUNTIME_DIR", runtimeDir.toString(), "LC_ALL", "C.UTF-8"));
        env.putAll(extra);
        return env;
    }

    private static Outcome run(List<String> command, Path dir, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().keySet().removeAll(List.of("CRACDEV_SOCKET", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "LC_CTYPE", "LANG"));
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running: " + command);
        return new Outcome(null, p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }
}
