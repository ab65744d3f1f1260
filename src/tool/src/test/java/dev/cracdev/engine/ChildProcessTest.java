package dev.cracdev.engine;

import dev.cracdev.Console;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kill path: a restored JVM is a grandchild (launcher or criu → JVM), and a launcher that only
 * forwards catchable signals orphans it when killed alone. kill() must end the whole tree, deepest first.
 */
class ChildProcessTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final Console QUIET = new Console(new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(new ByteArrayOutputStream()), false);

    /** sh → (sh that ignores SIGTERM → sleep): the shape of launcher → restorewait → restored JVM. */
    private static List<String> tree() {
        return List.of("sh", "-c", "sh -c 'trap \"\" TERM; sleep 300' & wait");
    }

    /**
     * A stand-in generation, released as {@code request}: it makes its exit flag, and on SIGTERM runs {@code onTerm}
     * (its "shutdown hooks", which delete the flag); returns once the flag exists.
     */
    private static ChildProcess generation(String name, GenerationRequest request, String onTerm, Console console)
            throws Exception {
        // the trap first: a SIGTERM that came between the flag and the trap would end it without its "hooks"
        ChildProcess child = ChildProcess.start(name, List.of("sh", "-c", "trap \"" + onTerm + "\" TERM; "
                + "touch '" + request.exitFlag() + "'; while :; do sleep 0.05; done"), null, console, false, null);
        child.release(request, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(request.exitFlag()));
        return child;
    }

    @Test
    void killEndsTheWholeTreeAndReapsIt() throws Exception {
        ChildProcess child = ChildProcess.start("tree", tree(), null, QUIET, false, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> child.process().descendants().count() >= 2);
        List<ProcessHandle> below = child.process().descendants().toList();
        child.kill();
        assertFalse(child.isAlive());
        await().atMost(Duration.ofSeconds(5)).until(() -> below.stream().noneMatch(ProcessHandle::isAlive));
    }

    /**
     * A JVM whose shutdown hooks are done (its exit flag deleted) but whose own exit lingers, as HotSpot's does
     * for ~300 ms with a thread in native code: stop() kills it then instead of waiting out the grace period.
     */
    @Test
    void aGracefulStopEndsOnceTheShutdownHooksRanEvenIfTheProcessLingers(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        GenerationRequest request = new GenerationRequest(1, "app.Main", List.of(), tmp.resolve("recorded"));
        java.nio.file.Path flag = request.exitFlag();
        // on SIGTERM: "hooks" delete the flag, then the "exit" hangs for a minute
        ChildProcess child = generation("lingers", request, "rm -f '" + flag + "'; sleep 60", QUIET);
        long t0 = System.nanoTime();
        child.stop(Duration.ofSeconds(60));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertFalse(child.isAlive());
        assertTrue(ms < 30_000, "stop waited " + ms + " ms: not for the end of the hooks, for the grace period");
        assertFalse(java.nio.file.Files.exists(flag));
    }

    /**
     * Once the hooks ran and nothing of it is in the way of the next generation, stop returns and the exit
     * finishes in the background (awaitEndings waits for it); while something is in the way (a listening
     * port, said by the predicate) it returns only when everything is gone.
     */
    @Test
    void onceTheHooksRanAndNothingIsInTheWayTheExitFinishesInTheBackground(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        for (boolean inTheWay : List.of(false, true)) {
            GenerationRequest request = new GenerationRequest(inTheWay ? 2 : 1, "app.Main", List.of(), tmp.resolve("recorded"));
            java.nio.file.Path flag = request.exitFlag();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Console console = new Console(new PrintStream(log, true), new PrintStream(log, true), true);
            // on SIGTERM: "hooks" delete the flag, then the "exit" takes a minute (the kill ends it)
            ChildProcess child = generation("exit-" + inTheWay, request, "rm -f '" + flag + "'; sleep 60", console);
            child.stop(Duration.ofSeconds(60), () -> () -> inTheWay);
            if (inTheWay) {
                assertFalse(child.isAlive(), "in the way: ended before stop returned");
                assertTrue(log.toString().contains("exit-true: shutdown hooks done in "), log.toString());
                assertTrue(log.toString().contains("but it still listens on a port; ending it"), log.toString());
            } else {
                assertTrue(log.toString().contains("exit-false: shutdown hooks done in ")
                        && log.toString().contains("its exit goes on in the background"), log.toString());
                ChildProcess.awaitEndings(Duration.ofSeconds(10));
                assertFalse(child.isAlive(), "awaitEndings waited for it");
            }
            assertFalse(java.nio.file.Files.exists(flag));
        }
    }

    /**
     * A reset throws the old generation's state away: its stop returns once its port is closed (a marker file
     * stands for it here), while its remaining shutdown hooks go on in the background; a generation whose hooks
     * end without closing the port (only its exit closes it) is killed then, not waited for.
     */
    @Test
    void aStopForAResetReturnsOnceThePortIsClosedAndLeavesTheRestOfTheHooksRunning(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        for (boolean hooksClosePort : List.of(true, false)) {
            GenerationRequest request = new GenerationRequest(hooksClosePort ? 1 : 2, "app.Main", List.of(), tmp.resolve("recorded"));
            java.nio.file.Path flag = request.exitFlag();
            java.nio.file.Path port = tmp.resolve("port-" + hooksClosePort);
            java.nio.file.Files.createFile(port);
            // on SIGTERM: the "port" closes first (or never), the rest of the "hooks" take 3 s, then the flag goes
            String onTerm = (hooksClosePort ? "rm -f '" + port + "'; " : "") + "sleep 3; rm -f '" + flag + "'; exit 0";
            ChildProcess child = generation("reset-" + hooksClosePort, request, onTerm, QUIET);
            long t0 = System.nanoTime();
            child.stopReleasing(Duration.ofSeconds(60), () -> () -> java.nio.file.Files.exists(port));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (hooksClosePort) {
                assertTrue(ms < 2_500, "returned " + ms + " ms after the signal: not once the port was closed");
                assertTrue(java.nio.file.Files.exists(flag), "the rest of its hooks still run");
                ChildProcess.awaitEndings(Duration.ofSeconds(20));
            } else {
                assertTrue(ms >= 2_500, "returned after " + ms + " ms, while its port was still open");
            }
            assertFalse(child.isAlive(), "ended, and reaped");
            assertFalse(java.nio.file.Files.exists(flag));
        }
    }

    /** The look-up of what holds a port (milliseconds) overlaps the app's shutdown hooks instead of following them. */
    @Test
    void whatHoldsAPortIsLookedUpWhileTheHooksRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        GenerationRequest request = new GenerationRequest(1, "app.Main", List.of(), tmp.resolve("recorded"));
        java.nio.file.Path flag = request.exitFlag();
        ChildProcess child = generation("overlap", request, "sleep 2; rm -f '" + flag + "'; exit 0", QUIET);
        java.util.concurrent.atomic.AtomicBoolean hooksRan = new java.util.concurrent.atomic.AtomicBoolean(true);
        child.stop(Duration.ofSeconds(60), () -> {
            hooksRan.set(!java.nio.file.Files.exists(flag));
            return () -> false;
        });
        assertFalse(hooksRan.get(), "looked up only after the hooks were done");
        ChildProcess.awaitEndings(Duration.ofSeconds(10));
        assertFalse(child.isAlive());
    }

    /** An answer counts only if it came after the command: a second quiesce must not take the first one's answer. */
    @Test
    void askTakesTheAnswerThatCameAfterItsCommand() throws Exception {
        ChildProcess child = ChildProcess.start("answers", List.of("sh", "-c",
                "n=0; while read line; do n=$((n + 1)); echo \"@crac-dev@ " + TOKEN + " resumed n=$n\"; done"),
                null, QUIET, false, TOKEN);
        try {
            for (int n = 1; n <= 3; n++) {
                var m = child.ask("resume", "resumed", Duration.ofSeconds(10));
                assertEquals(Integer.toString(n), m == null ? null : m.get("n"));
            }
        } finally {
            child.kill();
        }
    }

    @Test
    void aRuntimeEventAfterAPartialLineOfTheAppIsStillAnEvent() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console console = new Console(new PrintStream(out, true), new PrintStream(new ByteArrayOutputStream()), false);
        ChildProcess child = ChildProcess.start("prompt", List.of("sh", "-c",
                "printf 'password> '; echo '@crac-dev@ " + TOKEN + " main-returned gen=3'"), null, console, true, TOKEN);
        var m = child.await(java.util.Set.of("main-returned"), Duration.ofSeconds(10));
        assertTrue(m != null && m.word().equals("main-returned") && m.get("gen").equals("3"), String.valueOf(m));
        child.kill();
        assertTrue(out.toString().contains("password> "), "the app's part of the line is forwarded: " + out);
        assertFalse(out.toString().contains("@crac-dev@"), "the event is not shown as output");
    }

    @Test
    void aMarkerLineWithoutThisProcessesTokenIsAppOutputNotAnEvent() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console console = new Console(new PrintStream(out, true), new PrintStream(new ByteArrayOutputStream()), false);
        ChildProcess child = ChildProcess.start("forger", List.of("sh", "-c",
                "echo '@crac-dev@ exiting status=3'; echo '@crac-dev@ wrongtoken exiting status=4'; "
                        + "echo '@crac-dev@ " + TOKEN + " main-returned gen=1'; sleep 300"), null, console, true, TOKEN);
        child.await(java.util.Set.of("main-returned"), Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("wrongtoken"));
        try {
            assertNull(child.lastEvent("exiting"), "a forged event is not taken");
            assertTrue(out.toString().contains("@crac-dev@ exiting status=3\n"), "it is forwarded as the app's text: " + out);
            assertTrue(child.isAlive());
        } finally {
            child.kill();
        }
    }

    @Test
    void aMalformedEventLineDoesNotStopTheAppsOutput() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Console console = new Console(new PrintStream(out, true), new PrintStream(new ByteArrayOutputStream()), false);
        // ~150 KB after the bad lines: more than a pipe holds, so a dead reader would block the app
        ChildProcess child = ChildProcess.start("malformed", List.of("sh", "-c",
                "echo '@crac-dev@ x=%zz'; echo '@crac-dev@ " + TOKEN + " started gen=%'; echo '@crac-dev@ " + TOKEN + " '; "
                        + "i=0; while [ $i -lt 10000 ]; do echo \"after the bad line $i\"; i=$((i+1)); done; sleep 300"),
                null, console, true, TOKEN);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().contains("after the bad line 9999\n"));
            assertEquals(10000, out.toString().lines().filter(l -> l.startsWith("after the bad line ")).count());
            assertTrue(out.toString().contains("@crac-dev@ x=%zz\n"), "the malformed line is app output: " + out.toString().substring(0, 200));
        } finally {
            child.kill();
        }
    }

    @Test
    void killingOnlyTheTopWouldOrphanTheGrandchildren() throws Exception {
        // the hazard kill() exists for: shown here so the test above cannot pass for the wrong reason
        ChildProcess child = ChildProcess.start("tree", tree(), null, QUIET, false, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> child.process().descendants().count() >= 2);
        List<ProcessHandle> below = child.process().descendants().toList();
        child.process().destroyForcibly().waitFor();
        Thread.sleep(300);
        assertTrue(below.stream().anyMatch(ProcessHandle::isAlive), "orphans survive a top-only kill");
        below.forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * The shape of {@code criu restore} killed mid-flight: a child that has not spoken yet and is still
     * forking, whose forks do not carry the marker (a restored JVM carries the template's environment;
     * here {@code env -i}). Whatever it forked before or during the kill is gone afterwards.
     */
    @Test
    void killingAChildThatIsStillForkingLeavesNothingBehind() throws Exception {
        String tag = "3000." + System.nanoTime() % 1_000_000; // a sleep length no other process has
        try {
            for (int attempt = 0; attempt < 5; attempt++) {
                // bounded (at most 300 forks, ~100 a second): a failing test must not become a fork bomb
                ChildProcess child = ChildProcess.start("forking", List.of("sh", "-c",
                        "for i in $(seq 300); do env -i sleep " + tag + " & sleep 0.01; done; wait"), null, QUIET, false, null);
                child.markRestore();
                try {
                    await().atMost(Duration.ofSeconds(5)).until(() -> child.process().descendants().count() >= 3);
                    child.kill();
                    assertFalse(child.isAlive());
                } finally {
                    child.process().destroyForcibly();
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> processesWith(tag).isEmpty());
            }
        } finally {
            processesWith(tag).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    private static List<Long> processesWith(String argument) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(argument)).orElse(false))
                .map(ProcessHandle::pid).toList();
    }
}
