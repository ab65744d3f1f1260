package dev.cracdev.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything an engine needs to make generations of one project: the JVM, the split of the class path
 * into framework entries and app roots, and where state lives.
 *
 * @param java        the {@code java} executable of the JDK generations run on
 * @param jvmOptions  the user's JVM options (frozen into images)
 * @param framework   framework class-path entries (jars or directories), in order
 * @param appRoots    the user's own class directories, loaded after the boundary
 * @param runtimeJar  crac-dev's in-child runtime
 * @param workDir     the project directory (the generations' working directory)
 * @param stateDir    this configuration's directory in the image store (class list, images)
 */
public record LaunchConfig(Path java, List<String> jvmOptions, List<Path> framework, List<Path> appRoots,
                           Path runtimeJar, Path workDir, Path stateDir) {

    /** The recorded framework class list the framework phase preloads. */
    public Path classList() {
        return stateDir.resolve("classes.txt");
    }

    /** Where a generation writes the classes it recorded, for the supervisor to merge. */
    public Path recordedClassList() {
        return stateDir.resolve("classes.recorded");
    }
}
