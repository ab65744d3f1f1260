package dev.cracdev.compile;

import java.nio.file.Path;
import java.util.List;

/** Where one module keeps its Java sources and resources, and the classes directory they build into. */
public record ModuleLayout(List<Path> sources, List<Path> resources, Path classes) {
    public ModuleLayout {
        sources = sources.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        resources = resources.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        classes = classes.toAbsolutePath().normalize();
    }

    /** Maven's standard layout: src/main/java and src/main/resources into target/classes. */
    public static ModuleLayout maven(Path moduleDir) {
        return new ModuleLayout(List.of(moduleDir.resolve("src/main/java")), List.of(moduleDir.resolve("src/main/resources")),
                moduleDir.resolve("target/classes"));
    }

    /** The source root under which {@code path} lies, or null. */
    Path sourceRootOf(Path path) {
        Path p = path.toAbsolutePath().normalize();
        return sources.stream().filter(p::startsWith).findFirst().orElse(null);
    }
}
