package dev.cracdev.runtime;

import dev.cracdev.protocol.ChildProtocol;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The child's end of the control line: a daemon thread reading supervisor commands from stdin.
 *
 * <p>The thread is started before the framework phase and stays blocked in {@code read(0)} across a
 * checkpoint; after a CRIU restore the same read continues on the generation's fresh stdin pipe. When
 * stdin ends the supervisor is gone (even if it was SIGKILLed), so the JVM exits: no orphans.
 */
final class ControlLine {
    /** How long shutdown hooks get after the supervisor vanished, before the JVM halts. */
    private static final long HALT_AFTER_MS = 1500;

    private final BlockingQueue<ChildProtocol.Message> releases = new ArrayBlockingQueue<>(1);
    private final CommandHandler handler;

    interface CommandHandler {
        void saveClassList(String path);

        void runFixture(String className);

        void trimHeap();

        /** Before a ready image: resources hear of the checkpoint. */
        void quiesce();

        /** After a ready image was taken, or in a restore of it: resources hear of the restore. */
        void resume();
    }

    private ControlLine(CommandHandler handler) {
        this.handler = handler;
    }

    static ControlLine start(CommandHandler handler) {
        ControlLine line = new ControlLine(handler);
        // The app must not consume the supervisor's commands.
        System.setIn(new ByteArrayInputStream(new byte[0]));
        Thread t = new Thread(line::readLoop, "crac-dev-control");
        t.setDaemon(true);
        t.start();
        return line;
    }

    /** Blocks until the supervisor releases this JVM into the app phase. */
    ChildProtocol.Message awaitGo() throws InterruptedException {
        return releases.take();
    }

    private void readLoop() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new FileInputStream(FileDescriptor.in), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                ChildProtocol.Message m = ChildProtocol.decode(line);
                if (m == null) {
                    System.err.println("[crac-dev] runtime ignored a malformed command");
                    continue;
                }
                switch (m.word()) {
                    case ChildProtocol.GO -> {
                        Prefault.stop(); // the app phase must not share the CPU with it
                        releases.offer(m);
                    }
                    case ChildProtocol.PREFAULT -> prefaultInBackground();
                    case ChildProtocol.SAVE_CLASSLIST -> handler.saveClassList(m.get("path"));
                    case ChildProtocol.PING -> {
                        Boot.markHooksPending(m.get("exitflag")); // a restored ready image: this generation's own flag
                        Boot.emit(ChildProtocol.PONG);
                    }
                    case ChildProtocol.FIXTURE -> handler.runFixture(m.get("class"));
                    case ChildProtocol.TRIM -> handler.trimHeap();
                    case ChildProtocol.QUIESCE -> handler.quiesce();
                    case ChildProtocol.RESUME -> {
                        Prefault.stop(); // as for go: the app runs now
                        Boot.markHooksPending(m.get("exitflag")); // a restored ready image: this generation's own flag
                        handler.resume();
                    }
                    default -> System.err.println("[crac-dev] runtime ignored an unknown command: " + m.word());
                }
            }
        } catch (IOException e) {
            // stdin broke: same meaning as end of stdin
        }
        exit(0);
    }

    /** On its own thread: the go line must be read while it runs. */
    private static void prefaultInBackground() {
        Thread t = new Thread(() -> {
            Prefault.Result r = Prefault.run();
            Boot.emit(ChildProtocol.PREFAULTED, "pages", Long.toString(r.touched()), "ms", Long.toString(r.ms()),
                    "outcome", r.outcome());
        }, "crac-dev-prefault");
        t.setDaemon(true);
        t.start();
    }

    private static void exit(int status) {
        Thread halter = new Thread(() -> {
            try {
                Thread.sleep(HALT_AFTER_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(status);
        }, "crac-dev-halt");
        halter.setDaemon(true);
        halter.start();
        System.exit(status);
    }
}
