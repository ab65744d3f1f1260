package dev.cracdev.engine;

import dev.cracdev.Console;
import dev.cracdev.protocol.ChildProtocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A process the supervisor started (a template, a standby or a generation) with its pipes.
 *
 * <p>Two pump threads read the child's stdout and stderr: runtime event lines ({@link ChildProtocol#MARKER}
 * and the process's current token, see {@link #release}) become {@link ChildProtocol.Message}s, everything
 * else (forged or malformed event lines included) is the app's output, forwarded live once
 * {@link #forwardOutput} is on (a standby's framework-phase output is only kept for diagnostics).
 * {@link #kill()} ends the process and everything it started, reaps it and drains its pipes, so no
 * line of this generation can appear after the next one started.
 */
public final class ChildProcess {
    /** Pseudo event queued when the process has exited and its output is drained. */
    public static final String EXITED = "exited";
    private static final int KEPT_LINES = 60;
    /** How often the end of a wrapped JVM is looked for (see {@link #awaitEnd}). */
    private static final long WRAPPER_LOOK_MS = 25;
    /** HotSpot says this at every start under crac-dev's system class loader; it is expected, not news. */
    private static final String CDS_NOTICE = "OpenJDK 64-Bit Server VM warning: Archived non-system classes are disabled";

    /** Children whose end goes on in the background (see {@link #stop(Duration, Supplier)}). */
    private static final Set<Thread> ENDINGS = ConcurrentHashMap.newKeySet();

    private final String name;
    private final Process process;
    private final String marker;
    private volatile boolean restore;
    private final Console console;
    private final List<ChildProtocol.Message> history = new ArrayList<>(); // guarded by this
    private final Map<String, Long> firstSeen = new HashMap<>(); // guarded by this
    private final Deque<String> recentOutput = new ArrayDeque<>();
    private final List<Thread> pumps = new ArrayList<>();
    private final OutputStream stdin;
    private volatile boolean forwardOutput;
    /** The token the child's events carry now: its own until its go line, the generation's after. */
    private volatile String token;
    /** Exists while the generation's shutdown hooks have not all run (see {@link GenerationRequest#exitFlag}); or null. */
    private volatile Path exitFlag;
    private volatile Consumer<String> lineListener = line -> { };
    private volatile Consumer<ChildProtocol.Message> eventListener = m -> { };

    private ChildProcess(String name, Process process, String marker, Console console, boolean forwardOutput,
                         String token) {
        this.name = name;
        this.token = token;
        this.process = process;
        this.marker = marker;
        this.console = console;
        this.forwardOutput = forwardOutput;
        this.stdin = process.getOutputStream();
        pumps.add(pump(process.getInputStream(), false));
        pumps.add(pump(process.getErrorStream(), true));
        Thread waiter = new Thread(this::awaitExit, "crac-dev-" + name + "-exit");
        waiter.setDaemon(true);
        waiter.start();
    }

    /**
     * Starts {@code command} with three fresh pipes; only fds 0–2 reach the child. It and what it starts
     * carry a marker in their environment, so {@link #kill()} finds descendants that left the tree. Its
     * stdout lines are events only when they carry {@code token} (the one the JVM was given, or the one a
     * restored image holds; null: none are expected).
     *
     * <p>A restored JVM carries the environment of the process that was checkpointed, so the marker
     * cannot find it; but until a task of {@code criu restore} has become the JVM it is a fork of criu
     * with criu's environment: the marker finds such a task when criu died before it (killed mid-restore),
     * where it would otherwise sit stopped, re-parented to init, for ever.
     */
    public static ChildProcess start(String name, List<String> command, Path workDir, Console console,
                                     boolean forwardOutput, String token) throws IOException {
        String marker = ProcessTree.newMarker();
        ProcessBuilder pb = new ProcessBuilder(command);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        pb.environment().put(ProcessTree.ENV, marker);
        console.debug("start " + name + ": " + String.join(" ", command).replace(token == null ? " " : token, "<token>"));
        return new ChildProcess(name, pb.start(), marker, console, forwardOutput, token);
    }

    public Process process() {
        return process;
    }

    /**
     * The PID of the JVM this process is or runs (for a CRIU generation, the restored JVM below
     * {@code criu restore}), as the host sees it.
     */
    public long jvmPid() {
        return process.descendants()
                .filter(ChildProcess::isJava)
                .map(ProcessHandle::pid)
                .findFirst()
                .orElse(process.pid());
    }

    /** The latest event with this word, or null. */
    public synchronized ChildProtocol.Message lastEvent(String word) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).word().equals(word)) {
                return history.get(i);
            }
        }
        return null;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** From now on the child's output goes to the console, live (what it printed before is not replayed). */
    public void forwardOutput() {
        synchronized (recentOutput) {
            recentOutput.clear();
            forwardOutput = true;
        }
    }

    /** Delivers the lines kept so far (a generation may print before anyone listens), then each new one. */
    public void onLine(Consumer<String> listener) {
        synchronized (recentOutput) {
            recentOutput.forEach(listener);
            this.lineListener = listener;
        }
    }

    /** Delivers every event so far, then each new one as it arrives (on a pump thread). */
    public void onEvent(Consumer<ChildProtocol.Message> listener) {
        synchronized (this) {
            history.forEach(listener);
            this.eventListener = listener;
        }
    }

    /** The last lines the child printed (for error messages about a child that failed). */
    public String recentOutput() {
        synchronized (recentOutput) {
            return String.join(System.lineSeparator(), recentOutput);
        }
    }

    /** The token the child's events carry now (a ready image keeps the one of the generation it was taken from). */
    public String token() {
        return token;
    }

    /**
     * Sends the go line: the JVM becomes generation {@code request}, and from now on only events with the
     * generation's token count (the token it had before may be readable by the app, e.g. on its command line).
     */
    public boolean release(GenerationRequest request, boolean restored) {
        token = request.token(); // before the line: the child answers with the new token at once
        exitFlag = request.exitFlag();
        return send(request.goLine(restored));
    }

    /** The generation's exit flag (null: none): a ready image taken from it holds the same. */
    public Path exitFlag() {
        return exitFlag;
    }

    /**
     * A generation started by its restore command itself, not by {@link #release}: the go line (or, for a
     * ready image, the first ping) that came with it named {@code flag}, which its runtime made before it
     * answered. Without it every stop of such a generation would wait for the JVM's own exit (~300 ms with a
     * server's thread in native code) instead of its hooks.
     */
    public void expectExitFlag(Path flag) {
        exitFlag = flag; // stop() looks for it before it signals, as for a released generation
    }

    /** Sends one command line to the child's stdin; false if the child is gone. */
    public boolean send(String line) {
        try {
            synchronized (stdin) {
                stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits for the first event (since the start) whose word is in {@code words}; returns the
     * {@link #EXITED} event if the child ended first, or null on timeout.
     */
    public synchronized ChildProtocol.Message await(Set<String> words, Duration timeout) throws InterruptedException {
        return awaitFrom(0, words, timeout);
    }

    /**
     * Sends a command and waits for its answer: the first event with word {@code answer} (or {@link #EXITED})
     * that arrives after the command was sent. Null on timeout, or when the child is gone and cannot be asked.
     */
    public synchronized ChildProtocol.Message ask(String command, String answer, Duration timeout) throws InterruptedException {
        int seen = history.size();
        return send(command) ? awaitFrom(seen, Set.of(answer), timeout) : null;
    }

    /** As {@link #await}, among the events from index {@code from} of the history on. */
    private synchronized ChildProtocol.Message awaitFrom(int from, Set<String> words, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = from; i < history.size(); i++) {
                ChildProtocol.Message m = history.get(i);
                if (words.contains(m.word()) || m.word().equals(EXITED)) {
                    return m;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** {@link System#nanoTime()} when an event with this word first arrived, or 0. */
    public synchronized long seenAt(String word) {
        return firstSeen.getOrDefault(word, 0L);
    }

    private void record(ChildProtocol.Message m) {
        synchronized (this) {
            history.add(m);
            firstSeen.putIfAbsent(m.word(), System.nanoTime());
            notifyAll();
            eventListener.accept(m);
        }
    }

    /**
     * Ends the child gracefully: SIGTERM to its JVM (shutdown hooks run), up to {@code grace} for it to
     * end, then {@link #kill()} of whatever is left. Returns when everything is gone.
     */
    public void stop(Duration grace) {
        stop(grace, null);
    }

    /**
     * As {@link #stop(Duration)}, but returns as soon as nothing of the child can get in the way of the next
     * generation: its JVM's shutdown hooks are done (they close the app's ports and files) and it holds no
     * listening port any more. {@code portCheck} is asked right after the signal, so a look-up it makes overlaps
     * the app's shutdown, for a cheap check of whether it still holds a port. The rest — SIGKILL, the kernel
     * freeing the JVM's memory (~30 ms for a 300 MB JVM here), the reaping — goes on in the background;
     * {@link #awaitEndings} waits for it. Without a hooks-done flag, or with {@code portCheck} null, it returns
     * when everything is gone.
     */
    public void stop(Duration grace, Supplier<BooleanSupplier> portCheck) {
        Path flag = exitFlag;
        if (!grace.isZero() && process.isAlive()) {
            boolean watchFlag = terminate(flag);
            long t0 = System.nanoTime();
            BooleanSupplier holdsPort = portCheck == null ? null : portCheck.get();
            boolean hooksDone = awaitEndOfShutdownHooks(watchFlag ? flag : null, grace);
            long hooksMs = (System.nanoTime() - t0) / 1_000_000;
            boolean lingers = hooksDone && holdsPort != null && process.isAlive(); // only its exit is left
            if (lingers && !holdsPort.getAsBoolean()) {
                console.debug(name + ": shutdown hooks done in " + hooksMs + " ms; its exit goes on in the background");
                endInBackground(() -> { });
                return;
            }
            console.debug(name + ": " + (hooksDone ? "shutdown hooks done in " + hooksMs + " ms"
                    : watchFlag ? "ended or out of grace after " + hooksMs + " ms" : "no hooks flag; waited " + hooksMs + " ms")
                    + (lingers ? ", but it still listens on a port" : "") + "; ending it");
        }
        kill();
        deleteExitFlag();
    }

    /**
     * For a child whose state is thrown away (a reset): SIGTERM, then returns as soon as it holds no listening port
     * ({@code portCheck} as in {@link #stop(Duration, Supplier)}, its check polled every millisecond: Spring closes
     * the port first thing in its shutdown hook); its remaining shutdown hooks (up to {@code grace}) and its end go
     * on in the background. Once its hooks are done, or past {@code grace}, it is killed (a port no hook closes is
     * closed by that).
     */
    public void stopReleasing(Duration grace, Supplier<BooleanSupplier> portCheck) {
        Path flag = exitFlag;
        if (grace.isZero() || !process.isAlive()) {
            kill();
            deleteExitFlag();
            return;
        }
        boolean watchFlag = terminate(flag);
        long t0 = System.nanoTime();
        BooleanSupplier holdsPort = portCheck.get();
        long deadline = t0 + grace.toNanos();
        try {
            while (!process.waitFor(1, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline
                    && !(watchFlag && !Files.exists(flag))) {
                if (!holdsPort.getAsBoolean()) {
                    console.debug(name + ": its port closed " + (System.nanoTime() - t0) / 1_000_000
                            + " ms after the signal; its shutdown hooks and exit go on in the background");
                    Path hooksFlag = watchFlag ? flag : null;
                    endInBackground(() -> awaitEndOfShutdownHooks(hooksFlag, Duration.ofNanos(deadline - System.nanoTime())));
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
        deleteExitFlag();
    }

    /**
     * SIGTERM to the JVM (its shutdown hooks run) and the end of its stdin; returns whether its hooks-done
     * {@code flag} is there to watch. Looked at before the signal: a JVM without hooks of its own deletes the
     * flag within milliseconds of it, and a flag seen gone only after the signal must still count as "hooks
     * done", not "no flag".
     */
    private boolean terminate(Path flag) {
        boolean watchFlag = flag != null && Files.exists(flag);
        ProcessHandle.of(jvmPid()).ifPresent(ProcessHandle::destroy);
        // End of stdin ends the runtime's reader, which otherwise sits in a native read: a JVM waits
        // ~300 ms at exit for threads in native code
        closeQuietly();
        return watchFlag;
    }

    /** The process it started and their descendants, now (criu restore's: the restored JVM). */
    public List<Long> pids() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants()).map(ProcessHandle::pid).toList();
    }

    /** Runs {@code first} (waiting for what is left of its hooks), then ends the child, on a thread {@link #awaitEndings} knows. */
    private void endInBackground(Runnable first) {
        Thread ending = new Thread(() -> {
            try {
                first.run();
                kill();
                deleteExitFlag();
            } finally {
                ENDINGS.remove(Thread.currentThread());
            }
        }, "crac-dev-end-" + name);
        ENDINGS.add(ending);
        ending.start();
    }

    /** Waits up to {@code timeout} for the children still ending in the background ({@link #stop(Duration, Supplier)}). */
    public static void awaitEndings(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread ending : List.copyOf(ENDINGS)) {
            try {
                ending.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void deleteExitFlag() {
        Path flag = exitFlag;
        if (flag != null) {
            try {
                Files.deleteIfExists(flag);
            } catch (IOException e) {
                // a leftover flag is only recreated by the next generation with this number
            }
        }
    }

    /**
     * Until the process ended, its shutdown hooks are done ({@code flag} gone, if not null) or {@code grace}
     * passed; true for "hooks done" with the process still there (what is left is the JVM's exit, which
     * {@link #kill()} makes immediate).
     */
    private boolean awaitEndOfShutdownHooks(Path flag, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            // the process we started ends with its JVM (criu restore and the CRaC launcher wait for it)
            while (!process.waitFor(5, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                if (flag != null && !Files.exists(flag)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * Ends the child and every process it started (SIGKILL, by PID) and waits until all of them are gone
     * and reaped and the pipes are drained. Deepest first, and each parent stays alive until its
     * children are gone, so they are reaped by it (criu reaps the restored JVM, unshare the template),
     * not orphaned to an init that may never reap them. Descendants that daemonized out of the tree are
     * found by their marker ({@link ProcessTree}). Safe to call twice.
     *
     * <p>A restore that has not spoken yet may still be forking: {@code criu restore} in flight forks
     * tasks that a dead criu leaves stopped for ever, and a restored JVM that it leaves running. Such a
     * child is stopped (SIGSTOP) before its tree is read and killed with it right after, so nothing
     * appears after the look; what it started is then reaped by init, not by it.
     */
    public void kill() {
        boolean hold;
        synchronized (this) {
            hold = restore && history.isEmpty() && process.isAlive();
        }
        List<ProcessHandle> killed = new ArrayList<>();
        if (hold) {
            signal("STOP");
            killed.addAll(process.descendants().toList());
            killed.forEach(ProcessHandle::destroyForcibly);
        } else {
            for (int round = 0; round < 5; round++) { // a descendant may fork meanwhile: look again
                List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
                if (tree.isEmpty()) {
                    break;
                }
                tree.sort(java.util.Comparator.comparingInt(ChildProcess::depth).reversed());
                for (ProcessHandle p : tree) {
                    p.destroyForcibly();
                    // its parent, still alive, reaps it; polled finely: onExit() polls slowly for non-children
                    awaitDeath(p);
                }
            }
        }
        process.destroyForcibly();
        if (!awaitGone(Duration.ofSeconds(10))) {
            console.warn(name + " (pid " + process.pid() + ") did not end within 10 s of SIGKILL; check it with ps");
        }
        killed.forEach(ChildProcess::awaitDeath); // init reaps them
        for (int round = 0; round < 5; round++) { // one may be forking as we look: look again
            List<ProcessHandle> escaped = ProcessTree.marked(marker, process.pid());
            if (escaped.isEmpty()) {
                break;
            }
            for (ProcessHandle p : escaped) {
                console.debug(name + ": ending pid " + p.pid() + ", which left the process tree");
                p.destroyForcibly();
                awaitDeath(p);
            }
        }
    }

    /** This child is a restore (criu, or a CRaC JDK restoring itself): see {@link #kill()}. */
    public void markRestore() {
        restore = true;
    }

    /** Sends a signal Java has no call for; best effort (a missing {@code kill} command leaves only SIGKILL). */
    private void signal(String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (IOException e) {
            console.debug(name + ": cannot send SIG" + signal + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitDeath(ProcessHandle p) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (p.isAlive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static int depth(ProcessHandle p) {
        int depth = 0;
        for (var parent = p.parent(); parent.isPresent() && depth < 64; parent = parent.get().parent()) {
            depth++;
        }
        return depth;
    }

    /** Waits for the process to be reaped and its pipes drained. */
    private boolean awaitGone(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
            for (Thread pump : pumps) {
                pump.join(2000); // a grandchild still holding the pipe must not hang us
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            closeQuietly();
        }
    }

    private void closeQuietly() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already broken: the child is gone
        }
    }

    private void awaitExit() {
        try {
            int status = awaitEnd();
            for (Thread pump : pumps) {
                pump.join(2000);
            }
            ChildProtocol.Message exited = new ChildProtocol.Message(EXITED,
                    List.of(Map.entry("status", Integer.toString(status))));
            record(exited);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The process's exit status. A process that runs the JVM as its child ({@code criu restore}) is ended, with
     * everything below it, once that JVM has ended: criu waits for all its children, and its page server's subshell
     * outlives the server by 2 s (see CriuEngine), which made an app that died look alive that long (ready by "output
     * quiet", even). Which one is the JVM is decided once its runtime spoke: by then the exec chain is done and the
     * app has started nothing of its own.
     */
    private int awaitEnd() throws InterruptedException {
        ProcessHandle wrappedJvm = null;
        while (!process.waitFor(WRAPPER_LOOK_MS, TimeUnit.MILLISECONDS)) {
            if (wrappedJvm == null) {
                if (!spoke()) {
                    continue;
                }
                wrappedJvm = isJava(process.toHandle()) ? null
                        : process.children().filter(ChildProcess::isJava).findFirst().orElse(null);
                if (wrappedJvm == null) {
                    return process.waitFor(); // the process is the JVM, or runs none we can see
                }
            }
            if (!wrappedJvm.isAlive() && !process.waitFor(WRAPPER_LOOK_MS, TimeUnit.MILLISECONDS)) {
                console.debug(name + ": its JVM ended; ending what ran it (pid " + process.pid() + ")");
                kill();
                return process.exitValue();
            }
        }
        return process.exitValue();
    }

    private static boolean isJava(ProcessHandle p) {
        return p.info().command().map(c -> c.endsWith("/java")).orElse(false);
    }

    private synchronized boolean spoke() {
        return !history.isEmpty();
    }

    private Thread pump(InputStream stream, boolean isStderr) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    try {
                        handle(line, isStderr);
                    } catch (RuntimeException e) {
                        // whatever a line does (or a listener does with it), the pipe keeps being drained:
                        // a dead reader would block the app once the pipe is full
                        console.debug(name + ": could not handle a line of output: " + e);
                    }
                }
            } catch (IOException e) {
                // pipe closed under us: the process is gone
            }
        }, "crac-dev-" + name + (isStderr ? "-stderr" : "-stdout"));
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void handle(String line, boolean isStderr) {
        String output = line;
        if (!isStderr) {
            ChildProtocol.Received r = ChildProtocol.receive(line, token);
            if (r.event() != null) {
                console.debug(name + " event: " + r.event().word() + " " + r.event().fields());
                record(r.event());
            }
            output = r.appOutput(); // null: the whole line was the event; else the app's text (or a partial line before it)
        }
        if (output == null || output.startsWith(CDS_NOTICE)) {
            return;
        }
        if (forwardOutput) {
            if (isStderr) {
                console.appErr(output);
            } else {
                console.appOut(output);
            }
        }
        synchronized (recentOutput) {
            keep(output);
            lineListener.accept(output);
        }
    }

    private void keep(String line) {
        recentOutput.addLast(line);
        if (recentOutput.size() > KEPT_LINES) {
            recentOutput.removeFirst();
        }
    }
}
