package dev.cracdev.it;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/** Checks on processes by PID. */
final class ProcessAssertions {
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
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).collect(Collectors.joining("; ")));
    }
}
