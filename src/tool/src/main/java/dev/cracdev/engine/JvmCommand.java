package dev.cracdev.engine;

import dev.cracdev.protocol.ChildProtocol;
import dev.cracdev.runtime.Boot;
import dev.cracdev.runtime.CracDevClassLoader;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Builds the command line of a JVM running crac-dev's runtime ({@link Boot}) for one engine mode. */
public final class JvmCommand {
    private JvmCommand() {
    }

    /**
     * @param mode      cold | standby | criu | crac (what the runtime does at the boundary)
     * @param engineOptions JVM options the engine needs (e.g. {@code -XX:-UsePerfData}), before the user's
     * @param token     the JVM's secret token for its events until its go line (the runtime clears the property)
     */
    public static List<String> build(LaunchConfig cfg, String mode, List<String> engineOptions, String token) {
        List<String> cmd = new ArrayList<>();
        cmd.add(cfg.java().toString());
        cmd.addAll(engineOptions);
        cmd.add("-Djava.system.class.loader=" + CracDevClassLoader.class.getName());
        cmd.add("-D" + CracDevClassLoader.FRAMEWORK_PROPERTY + "=" + pathList(cfg.framework()));
        cmd.add("-D" + CracDevClassLoader.APP_PROPERTY + "=" + pathList(cfg.appRoots()));
        cmd.add("-Dcracdev.mode=" + mode);
        cmd.add("-Dcracdev.classlist=" + cfg.classList());
        cmd.add("-D" + ChildProtocol.TOKEN_PROPERTY + "=" + token);
        boolean userSetCompat = cfg.jvmOptions().stream().anyMatch(o -> o.startsWith("-Dorg.crac.Core.Compat="));
        if (!mode.equals("crac") && !userSetCompat) {
            // org.crac resources register with crac-dev's runtime instead of being dropped
            cmd.add("-Dorg.crac.Core.Compat=dev.cracdev.runtime.crac");
        }
        cmd.addAll(cfg.jvmOptions());
        cmd.add("-cp");
        cmd.add(cfg.runtimeJar().toString());
        cmd.add(Boot.class.getName());
        return cmd;
    }

    static String pathList(List<Path> paths) {
        return paths.stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
    }
}
