package dev.cracdev.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The framework class list the framework phase preloads: one class a line in load order; a leading
 * {@code -} means "load but do not initialize" (its initializer read app-root resources).
 */
public final class ClassList {
    private final Path file;

    public ClassList(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /**
     * Merges classes recorded by a generation ({@code -} marks one it did not initialize); returns how many
     * were new. A class already listed keeps its mark: load-only stays load-only.
     */
    public synchronized int merge(Path recorded) throws IOException {
        Map<String, Boolean> entries = read();
        int added = 0;
        for (String line : Files.readAllLines(recorded, StandardCharsets.UTF_8)) {
            line = line.strip();
            boolean initialize = !line.startsWith("-");
            String name = initialize ? line : line.substring(1);
            if (!name.isEmpty() && entries.putIfAbsent(name, initialize) == null) {
                added++;
            }
        }
        if (added > 0) {
            write(entries);
        }
        return added;
    }

    /** Marks classes as load-only (they stay uninitialized until a generation uses them). */
    public synchronized void markLoadOnly(Collection<String> classes) throws IOException {
        Map<String, Boolean> entries = read();
        for (String c : classes) {
            entries.put(c, false);
        }
        write(entries);
    }

    /** Class name → initialize? in file order. */
    synchronized Map<String, Boolean> read() throws IOException {
        Map<String, Boolean> entries = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return entries;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            line = line.strip();
            if (line.startsWith("-")) {
                entries.put(line.substring(1), false);
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                entries.putIfAbsent(line, true);
            }
        }
        return entries;
    }

    private void write(Map<String, Boolean> entries) throws IOException {
        List<String> lines = new ArrayList<>(entries.size());
        entries.forEach((name, init) -> lines.add(init ? name : "-" + name));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
