package dev.cracdev.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Finds every process crac-dev started for one child, even those that left its tree. A descendant
 * that daemonizes ({@code setsid} and a double fork) is re-parented to init and no longer shows up in
 * {@link ProcessHandle#descendants()}; but it still carries the environment it inherited. Each child
 * gets a random {@value #ENV} value, and on Linux {@code /proc/<pid>/environ} tells which processes
 * carry it. Elsewhere (macOS) only the process tree is known: a daemonizing descendant escapes there.
 *
 * <p>A process that replaces its whole environment escapes too, and so does a restored JVM (it carries the
 * checkpointed template's environment; only criu's own tasks carry a restore's marker): criu generations
 * run in their own pid namespace, which the kernel empties when the JVM dies; a daemon of a crac
 * generation can escape.
 */
public final class ProcessTree {
    /** Environment variable that marks the processes of one child. */
    public static final String ENV = "CRACDEV_PROCESS";
    private static final Path PROC = Path.of("/proc");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ProcessTree() {
    }

    /** A fresh marker value. */
    static String newMarker() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Live processes other than {@code except} whose environment has {@code ENV=marker} (empty where /proc is missing). */
    static List<ProcessHandle> marked(String marker, long except) {
        List<ProcessHandle> found = new ArrayList<>();
        if (!Files.isDirectory(PROC)) {
            return found;
        }
        byte[] needle = (ENV + "=" + marker).getBytes(StandardCharsets.US_ASCII);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path dir : dirs) {
                long pid;
                try {
                    pid = Long.parseLong(dir.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid != except && pid != ProcessHandle.current().pid() && carries(dir.resolve("environ"), needle)) {
                    ProcessHandle.of(pid).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            // /proc unreadable: only the process tree is known
        }
        return found;
    }

    private static boolean carries(Path environ, byte[] needle) {
        byte[] env;
        try {
            env = Files.readAllBytes(environ);
        } catch (IOException | SecurityException e) {
            return false; // gone meanwhile, or not ours to read
        }
        // entries are NUL-separated: match a whole entry
        outer:
        for (int i = 0; i + needle.length <= env.length; i++) {
            if (i > 0 && env[i - 1] != 0) {
                continue;
            }
            for (int j = 0; j < needle.length; j++) {
                if (env[i + j] != needle[j]) {
                    continue outer;
                }
            }
            if (i + needle.length == env.length || env[i + needle.length] == 0) {
                return true;
            }
        }
        return false;
    }
}
