package dev.cracdev.watch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The file changes batched into one restart, with a one-line summary for the status line. */
public final class ChangeSet {
    public enum Kind { ADDED, MODIFIED, DELETED }

    private final Map<Path, Kind> changes = new LinkedHashMap<>();
    private final String reason;

    private ChangeSet(String reason) {
        this.reason = reason;
    }

    public static ChangeSet files() {
        return new ChangeSet(null);
    }

    /** A restart nobody edited a file for ("manual", "control socket"). */
    public static ChangeSet because(String reason) {
        return new ChangeSet(reason);
    }

    public synchronized void add(Path path, Kind kind) {
        Kind before = changes.get(path);
        if (before == Kind.ADDED && kind == Kind.MODIFIED) {
            return; // still an addition
        }
        if (before == Kind.ADDED && kind == Kind.DELETED) {
            changes.remove(path); // came and went
            return;
        }
        changes.put(path, kind);
    }

    public synchronized boolean isEmpty() {
        return changes.isEmpty() && reason == null;
    }

    public synchronized Map<Path, Kind> changes() {
        return Map.copyOf(changes);
    }

    /** e.g. "2 changes (Hello.class, app.yml)" or "manual restart". */
    public synchronized String summary() {
        if (reason != null) {
            return reason;
        }
        String names = changes.keySet().stream().limit(3).map(p -> p.getFileName().toString())
                .collect(Collectors.joining(", "));
        int n = changes.size();
        return n + (n == 1 ? " change (" : " changes (") + names + (n > 3 ? ", ..." : "") + ")";
    }
}
