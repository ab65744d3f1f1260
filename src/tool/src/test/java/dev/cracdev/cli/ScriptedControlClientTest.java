package dev.cracdev.cli;

import dev.cracdev.control.ControlAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * scripts/crac-dev answers reset, reset --wait and restart through scripts/lib/control-client.pl (no JVM
 * start): against a stand-in supervisor on the socket where the JVM client looks, it must send the same
 * request and print, byte for byte, what the JVM client prints, with the same exit code. The launcher runs
 * with /bin/false as its Java, so any answer proves the JVM was not needed; where the Perl client cannot be
 * exact, it must send nothing and hand the command, unchanged, to the JVM client.
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
        for (String locale : List.of("C.UTF-8", "C", "xx_XX.UTF-8")) { // the last one is not installed: ASCII
            Map<String, String> env = Map.of("LC_ALL", locale);
            Outcome fast = viaScript(defaultSocket(), reply, env, "reset", "--wait");
            assertEquals(1, fast.code(), fast.toString());
            assertTrue(fast.err().startsWith("[crac-dev] [ERROR] gen 4 exited"), fast.toString());
            assertEquals(fast, viaJvm(defaultSocket(), reply, env, "reset", "--wait"), "locale " + locale);
        }
    }

    @Test
    void separatorsInAReplyBecomeAsciiWhereTheLocaleCannotShowThem() throws Exception {
        String reply = "ok generation 5 ready in 90 ms · ready image 61 ms → 0.5× µs ✓";
        for (String locale : List.of("C", "xx_XX.UTF-8")) { // the latter is not installed: the C library stays in C
            Map<String, String> env = Map.of("LC_ALL", locale, "LANG", "C.UTF-8"); // which Perl alone would fall back to
            Outcome fast = viaScript(defaultSocket(), reply, env, "reset", "--wait");
            assertEquals("generation 5 ready in 90 ms - ready image 61 ms -> 0.5x us ?\n", fast.out(), locale);
            assertEquals(fast, viaJvm(defaultSocket(), reply, env, "reset", "--wait"), locale);
        }
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
    void whereItCannotBeExactItSendsNothingAndTheJvmClientGetsTheCommandUnchanged() throws Exception {
        assertHandedToTheJvm(Map.of(), "status");
        assertHandedToTheJvm(Map.of(), "reset --wait"); // one argument: the JVM client's usage error, not a reset
        assertHandedToTheJvm(Map.of(), "reset", "--socket", "x");
        assertHandedToTheJvm(Map.of("JAVA_TOOL_OPTIONS", ""), "reset", "--wait"); // the JVM would say it picked them up
        assertHandedToTheJvm(Map.of("CRACDEV_SOCKET", "nobody-listens.sock"), "restart");
        Files.writeString(project.resolve("crac-dev.properties"), "socket=elsewhere.sock\n"); // may name another socket
        assertHandedToTheJvm(Map.of(), "reset");
        Files.delete(project.resolve("crac-dev.properties"));
        if (Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).newEncoder().canEncode("caf\u00e9")) {
            project = Files.createDirectories(project.resolve("caf\u00e9")); // the JVM reads the name through the locale
            assertHandedToTheJvm(Map.of(), "reset", "--wait");
        } // else this JVM cannot even name such a directory (a C locale)
    }

    /**
     * Runs the launcher with a stand-in Java that prints its arguments, while a stand-in supervisor listens where
     * the JVM client would look: nothing may connect, and the JVM client gets the arguments as they were.
     */
    private void assertHandedToTheJvm(Map<String, String> extraEnv, String... args) throws Exception {
        Path java = tmp.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"jvm client, CRACDEV_JVM_CLIENT=${CRACDEV_JVM_CLIENT:-unset}\"\n"
                + "for a; do echo \"arg: $a\"; done\nexit 42\n");
        Path mvn = Files.createDirectories(tmp.resolve("bin")).resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\necho 'the launcher rebuilds the jar'\nexit 97\n");
        assertTrue(java.toFile().setExecutable(true) && mvn.toFile().setExecutable(true));
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("CRACDEV_LAUNCHER_JAVA", java.toString());
        env.put("PATH", mvn.getParent() + ":" + System.getenv("PATH"));
        Outcome o = serveOnce(defaultSocket(), "ok nobody may ask", launcher(args), env);
        assumeTrue(!o.err().contains("the launcher rebuilds the jar"), "crac-dev-all.jar is older than the sources "
                + "(run mvn package first): the launcher would rebuild it before running the JVM client");
        assertNull(o.request(), "nothing may reach the supervisor: " + List.of(args));
        StringBuilder passed = new StringBuilder();
        for (String a : args) {
            passed.append("arg: ").append(a).append('\n');
        }
        assertEquals(42, o.code(), o.toString());
        assertTrue(o.out().startsWith("jvm client, CRACDEV_JVM_CLIENT=unset\n"), o.toString());
        assertTrue(o.out().endsWith("arg: -jar\narg: " + SCRIPTS.getParent().resolve("src/tool/target/crac-dev-all.jar")
                + "\n" + passed), "the arguments as they were: " + o);
        assertEquals("", o.err(), o.toString());
    }

    private static List<String> launcher(String... args) {
        List<String> command = new ArrayList<>(List.of(SCRIPTS.resolve("crac-dev").toString()));
        command.addAll(List.of(args));
        return command;
    }

    private Outcome viaScript(Path socket, String reply, Map<String, String> extraEnv, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("CRACDEV_LAUNCHER_JAVA", "/bin/false"); // a JVM client would fail: only the Perl one can answer
        Outcome o = serveOnce(socket, reply, launcher(args), env);
        // bash itself (the launcher, before any client) warns once about a locale that is not installed
        return new Outcome(o.request(), o.code(), o.out(), o.err().replaceFirst("\\Abash: warning: setlocale: [^\n]*\n", ""));
    }

    private Outcome viaJvm(Path socket, String reply, Map<String, String> extraEnv, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), "dev.cracdev.Main"));
        command.addAll(List.of(args));
        return serveOnce(socket, reply, command, extraEnv);
    }

    /**
     * Runs the command while a stand-in supervisor listens at {@code socket} and answers one request with
     * {@code reply} (null: hangs up); the outcome's request is null when nothing connected.
     */
    private Outcome serveOnce(Path socket, String reply, List<String> command, Map<String, String> extraEnv) throws Exception {
        Files.createDirectories(socket.getParent());
        AtomicBoolean connected = new AtomicBoolean();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = server.accept()) {
                    connected.set(true); // before any reply: a client ends only after one
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
            return new Outcome(connected.get() ? request.get(30, TimeUnit.SECONDS) : null, o.code(), o.out(), o.err());
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    private Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("XDG_RUNTIME_DIR", runtimeDir.toString(), "LC_ALL", "C.UTF-8"));
        env.putAll(extra);
        return env;
    }

    private static Outcome run(List<String> command, Path dir, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("CRACDEV_") || name.startsWith("LC_") || name.startsWith("PERL")
                || List.of("LANG", "LANGUAGE", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS").contains(name));
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> out = readAll(p.getInputStream());
        CompletableFuture<String> err = readAll(p.getErrorStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running after 60 s: " + command);
        }
        return new Outcome(null, p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static CompletableFuture<String> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "read failed: " + e;
            }
        });
    }
}
