package dev.cracdev.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The framework phase: preload the recorded framework class list into the system loader.
 *
 * <p>The list file has one class name a line, in the order the app loaded them. A line starting with
 * {@code -} names a class to load and link but <em>not</em> initialize, because its initializer was
 * caught loading an app class (see {@link CracDevClassLoader}); its initializer then runs in each
 * generation. Initializers that read app files do run here: the read set keys the image on what they read. Classes that fail to load or initialize are skipped and
 * reported as tainted, so the next template leaves them uninitialized too: an initializer that failed
 * here would otherwise leave the class unusable in every generation.
 *
 * <p>A few framework classes are only loaded, never initialized here, whatever the list says: their
 * initializer has a side effect that the app's own start decides ({@link #INITIALIZED_BY_THE_APP}).
 */
final class FrameworkPhase {
    record Result(int preloaded, int failed) {
    }

    /**
     * Initializers that must run after the app started (in the training run or in the generation), because the
     * app's configuration decides what they do. Tomcat's {@code MBeanUtils} and {@code MBeanFactory} create Tomcat's
     * MBean registry; Spring Boot disables that registry as the app starts (server.tomcat.mbeanregistry.enabled,
     * false by default), which it can only do while nobody created it. Created here, every generation
     * registered Tomcat's MBeans against the app's setting (its log: "The MBean registry cannot be disabled because
     * it has already been initialised"; no measurable cost in time on the example).
     */
    private static final Set<String> INITIALIZED_BY_THE_APP = Set.of(
            "org.apache.catalina.mbeans.MBeanUtils",
            "org.apache.catalina.mbeans.MBeanFactory");

    private FrameworkPhase() {
    }

    /**
     * @param initialize false to load every class without running any initializer (the fallback when
     *                   initializers keep reading app files)
     */
    static Result preload(Path classList, ClassLoader loader, boolean initialize, java.util.Set<String> failedInit) {
        int preloaded = 0;
        int failed = 0;
        List<String> lines;
        try {
            lines = classList == null || !Files.isRegularFile(classList) ? List.of() : Files.readAllLines(classList);
        } catch (IOException e) {
            lines = List.of(); // an unreadable list only costs speed
        }
        for (String line : lines) {
            String name = line.strip();
            boolean init = initialize && !name.startsWith("-");
            if (name.startsWith("-")) {
                name = name.substring(1);
            }
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            init &= !INITIALIZED_BY_THE_APP.contains(name);
            try {
                Class.forName(name, init, loader);
                preloaded++;
            } catch (ClassNotFoundException e) {
                failed++; // gone from the framework since the list was recorded
            } catch (LinkageError | RuntimeException | CracDevClassLoader.AppClassLoadedDuringFrameworkPhase e) {
                // includes "Could not initialize class" when an initializer this one needs was failed
                failed++;
                if (init) {
                    failedInit.add(name);
                }
            }
        }
        return new Result(preloaded, failed);
    }
}
