package dev.cracdev.runtime;

import dev.cracdev.protocol.ChildProtocol;
import java.lang.reflect.InvocationTargetException;

/**
 * The runtime's side of the {@code crac} engine: checkpoint through the JDK's own API on the main thread
 * (never jcmd, which would resume on the Attach Listener thread), then read the generation's
 * {@code go} line from the restore-time system property {@code cracdev.go}.
 */
final class CracCheckpoint {
    static final String GO_PROPERTY = "cracdev.go";

    private CracCheckpoint() {
    }

    /** Checkpoints; returns the go line in the restored generation, or exits reporting why it failed. */
    static ChildProtocol.Message checkpointRestore() {
        try {
            Class<?> core = coreClass();
            core.getMethod("checkpointRestore").invoke(null);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (!restoredDespite(t)) {
                refuse(t);
            }
        } catch (ReflectiveOperationException e) {
            refuse(e);
        }
        String go = System.clearProperty(GO_PROPERTY); // it holds the generation's token: not for the app's eyes
        ChildProtocol.Message m = go == null ? null : ChildProtocol.decode(go);
        if (m == null) {
            // restored without generation data, or the checkpoint returned in the original process
            Boot.emit(ChildProtocol.REFUSED, "message", "the checkpoint returned without -D" + GO_PROPERTY
                    + " (not restored by crac-dev?)");
            System.exit(ChildProtocol.EXIT_REFUSED);
        }
        return m;
    }

    /**
     * A RestoreException means the restore itself worked: the JDK throws it only after the new process
     * runs and its restore-time properties are set, when org.crac resources failed in afterRestore
     * (openjdk/crac jdk.internal.crac.mirror.Core#checkpointRestore1; its jcmd path, checkpointRestoreInternal,
     * prints it and goes on). As on the criu engine, the generation goes on and the failure is the
     * app's to see; exiting here would look like a bad image to the supervisor (discard, rebuild, loop).
     */
    private static boolean restoredDespite(Throwable t) {
        if (!t.getClass().getName().endsWith(".RestoreException") || System.getProperty(GO_PROPERTY) == null) {
            return false;
        }
        System.err.println("[crac-dev] an org.crac resource failed in afterRestore: " + causes(t));
        return true;
    }

    private static String causes(Throwable t) {
        StringBuilder causes = new StringBuilder(t.getClass().getName() + ": " + t.getMessage());
        for (Throwable s : t.getSuppressed()) {
            causes.append('\n').append(s.getClass().getName()).append(": ").append(s.getMessage());
        }
        return causes.toString();
    }

    private static Class<?> coreClass() throws ClassNotFoundException {
        try {
            return Class.forName("jdk.crac.Core");
        } catch (ClassNotFoundException e) {
            return Class.forName("javax.crac.Core");
        }
    }

    /** Reports every cause as "Class: message" lines (the supervisor puts them in plain words) and exits. */
    private static void refuse(Throwable t) {
        Boot.emit(ChildProtocol.REFUSED, "message", causes(t));
        System.exit(ChildProtocol.EXIT_REFUSED);
    }
}
