package dev.cracdev.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/** Checks on processes by PID. */
final class ProcessAssertions {
    private static final Path PROC = Path.of("/proc");

    private ProcessAssertions() {
    }

    /** Every process in the list has ended within the timeout (not merely been signalled). */
    static void assertAllGone(List<ProcessHandle> processes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (processes.stream().noneMatch(ProcessHandle::isAlive)) {
                return;
            }
            Thread.sleep(50);
        }
        fail("processes left behind: " + processes.stream().filter(ProcessHandle::isAlive)
                .map(ProcessAssertions::describe).collect(Collectors.joining("; ")));
    }

    /**
     * After a test: no process names {@code dir} on its command line or runs in it (a JVM, a
     * {@code criu restore} of an image kept there, anything the app started), however it got away from
     * the supervisor. Those found are reported and then ended, so one test's leak does not spill into the next.
     */
    static void assertNothingLeftIn(Path dir) throws InterruptedException {
        List<ProcessHandle> left = processesIn(dir);
        if (left.isEmpty()) {
            return;
        }
        try {
            assertAllGone(left, Duration.ofSeconds(5)); // a stop still being reaped
        } finally {
            processesIn(dir).forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static List<ProcessHandle> processesIn(Path dir) {
        List<ProcessHandle> found = new ArrayList<>();
        if (!Files.isDirectory(PROC)) {
            return found;
        }
        String needle = dir.toAbsolutePath().toString();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path p : pids) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid != ProcessHandle.current().pid() && (commandLine(p).contains(needle) || cwd(p).startsWith(needle))) {
                    ProcessHandle.of(pid).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    private static String commandLine(Path proc) {
        try {
            return new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return ""; // gone meanwhile
        }
    }

    private static String cwd(Path proc) {
        try {
            return Files.readSymbolicLink(proc.resolve("cwd")).toString();
        } catch (IOException e) {
            return "";
        }
    }

    private static String describe(ProcessHandle p) {
        String stat;
        try {
            stat = Files.readString(PROC.resolve(p.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            stat = "state " + f[0] + ", parent " + f[1];
        } catch (IOException | RuntimeException e) {
            stat = "state ?";
        }
        return p.pid() + " (" + stat + ") " + commandLine(PROC.resolve(String.valueOf(p.pid())));
    }
}
