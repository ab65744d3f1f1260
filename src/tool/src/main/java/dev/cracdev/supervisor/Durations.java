package dev.cracdev.supervisor;

/** Human-sized durations: "41 ms", "1.2 s". */
final class Durations {
    private Durations() {
    }

    static String format(long millis) {
        return millis < 1000 ? millis + " ms" : String.format("%.1f s", millis / 1000.0);
    }
}
