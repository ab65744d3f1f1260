package dev.cracdev.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code crac-dev} process (the built jar) started by a test, with its stdout and stderr captured
 * line by line (and echoed with a prefix, so a failing test shows what happened).
 */
public final class SupervisorProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final OutputStream stdin;
    private final List<Thread> pumps = new ArrayList<>();

    private SupervisorProcess(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        pumps.add(pump(process.getInputStream(), "out"));
        pumps.add(pump(process.getErrorStream(), "err"));
    }

    /**
     * A build started in the background by a non-interactive shell ({@code .ci/run &}, nohup) inherits SIGINT
     * ignored, and a JVM leaves an ignored SIGINT ignored (as nohup wants), so the supervisor under test would
     * too: it gets SIGINT back at its default, as when started from a terminal (coreutils' env, exec'd: same pid).
     */
    private static final List<String> DEFAULT_SIGINT = sigintIgnoredHere() && runs(List.of("env", "--default-signal=INT", "true"))
            ? List.of("env", "--default-signal=INT") : List.of();

    private static boolean sigintIgnoredHere() {
        try {
            String mask = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("SigIgn:"))
                    .map(l -> l.substring("SigIgn:".length()).strip()).findFirst().orElse("0");
            return (Long.parseUnsignedLong(mask, 16) & (1L << 1)) != 0; // bit n-1 for signal n; SIGINT is 2
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean runs(List<String> command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code java -jar crac-dev-all.jar ARGS} in {@code workDir}. */
    public static SupervisorProcess start(Path workDir, List<String> args) throws IOException {
        return start(workDir, args, java.util.Map.of());
    }

    public static SupervisorProcess start(Path workDir, List<String> args, java.util.Map<String, String> env) throws IOException {
        return launch(workDir, command(args), env);
    }

    /** Whether {@link #startOnATerminal} can run here: util-linux's script(1) makes the pseudo-terminal. */
    public static boolean canFakeATerminal() {
        return runs(List.of("script", "-qec", "true", "/dev/null"));
    }

    /**
     * As {@link #start}, on a pseudo-terminal (stdin and stdout), as from a developer's shell: what is typed
     * with {@link #type} reaches it through the terminal, and its output (stdout and stderr) comes back as one.
     */
    public static SupervisorProcess startOnATerminal(Path workDir, List<String> args) throws IOException {
        StringBuilder shellLine = new StringBuilder();
        for (String word : command(args)) {
            shellLine.append(shellLine.length() == 0 ? "" : " ").append('\'').append(word.replace("'", "'\\''")).append('\'');
        }
        return launch(workDir, List.of("script", "-qefc", shellLine.toString(), "/dev/null"), java.util.Map.of());
    }

    /** {@code java -jar crac-dev-all.jar ARGS}, with SIGINT at its default. */
    private static List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>(DEFAULT_SIGINT);
        cmd.addAll(List.of(javaExe(), "-jar", cracDevJar().toString()));
        cmd.addAll(args);
        return cmd;
    }

    private static SupervisorProcess launch(Path workDir, List<String> cmd, java.util.Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        return new SupervisorProcess(pb.start());
    }

    /** Runs {@code crac-dev ARGS} to completion. */
    public static SupervisorProcess run(Path workDir, List<String> args) throws IOException, InterruptedException {
        return run(workDir, args, java.util.Map.of());
    }

    public static SupervisorProcess run(Path workDir, List<String> args, java.util.Map<String, String> env)
            throws IOException, InterruptedException {
        SupervisorProcess p = start(workDir, args, env);
        p.stdin.close();
        if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
            p.process.destroyForcibly();
            throw new AssertionError("crac-dev " + args + " did not finish within 60 s");
        }
        for (Thread t : p.pumps) {
            t.join(5000);
        }
        return p;
    }

    public static Path cracDevJar() {
        Path jar = Path.of(System.getProperty("cracdev.jar", "target/crac-dev-all.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: integration tests run after 'mvn package'");
        }
        return jar;
    }

    public static String javaExe() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public int exitCode() {
        return process.exitValue();
    }

    public synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }

    public String output() {
        return String.join("\n", lines());
    }

    /** Writes a line to the supervisor's stdin (its terminal commands). */
    public void type(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Waits for the n-th (1-based) line matching {@code regex}; returns its matcher. */
    public Matcher await(String regex, int nth, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                int seen = 0;
                for (String line : lines) {
                    Matcher m = p.matcher(line);
                    if (m.find() && ++seen == nth) {
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no line #" + nth + " matching /" + regex + "/ within " + timeout
                            + "; output was:\n" + String.join("\n", lines));
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    /** Waits for a line matching {@code regex} that comes after the first line matching {@code anchor}. */
    public Matcher awaitAfter(String anchor, String regex, Duration timeout) throws InterruptedException {
        Pattern a = Pattern.compile(anchor);
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                boolean anchored = false;
                for (String line : lines) {
                    if (anchored) {
                        Matcher m = p.matcher(line);
                        if (m.find()) {
                            return m;
                        }
                    } else {
                        anchored = a.matcher(line).find();
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no line matching /" + regex + "/ after /" + anchor + "/ within " + timeout
                            + "; output was:\n" + String.join("\n", lines));
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    public Matcher await(String regex, Duration timeout) throws InterruptedException {
        return await(regex, 1, timeout);
    }

    public synchronized long count(String regex) {
        Pattern p = Pattern.compile(regex);
        return lines.stream().filter(l -> p.matcher(l).find()).count();
    }

    /** Every live process below the supervisor (generations, standbys, templates, criu). */
    public List<ProcessHandle> descendants() {
        return process.descendants().filter(ProcessHandle::isAlive).toList();
    }

    /** Sends a signal by name (INT, TERM, KILL) to the supervisor. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        kill.waitFor();
    }

    public boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the supervisor (SIGTERM), then makes sure nothing it started is left. */
    @Override
    public void close() throws Exception {
        List<ProcessHandle> children = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        try {
            ProcessAssertions.assertAllGone(children, Duration.ofSeconds(5)); // what the supervisor started, it ends
        } finally {
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private Thread pump(InputStream in, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    System.out.println("    [" + name + "] " + line);
                    synchronized (this) {
                        lines.add(line);
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // process gone
            }
        }, "test-supervisor-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
