package dev.cracdev.watch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Notices edits of a few single files (a build's poms) by polling their size and modification time, and
 * reports the first one seen changed. A recursive directory watch would cover the whole project tree for
 * them, target/ included; a stat per file per second costs nothing.
 */
public final class PolledFiles implements AutoCloseable {
    private final List<Path> files;
    private final Consumer<Path> onChange;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "crac-dev-build-files");
        t.setDaemon(true);
        return t;
    });
    private List<String> stamps;

    public PolledFiles(List<Path> files, Consumer<Path> onChange) {
        this.files = List.copyOf(files);
        this.onChange = onChange;
        this.stamps = files.stream().map(PolledFiles::stamp).toList();
    }

    public void start(long periodMillis) {
        timer.scheduleWithFixedDelay(this::poll, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        List<String> now = files.stream().map(PolledFiles::stamp).toList();
        for (int i = 0; i < files.size(); i++) {
            if (!Objects.equals(now.get(i), stamps.get(i))) {
                stamps = now;
                onChange.accept(files.get(i));
                return;
            }
        }
    }

    private static String stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.size() + "@" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return "absent";
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
