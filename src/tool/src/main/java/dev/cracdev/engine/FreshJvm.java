package dev.cracdev.engine;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.protocol.ChildProtocol;

import java.io.IOException;
import java.util.List;

/**
 * A generation in a freshly launched JVM, framework phase included: the {@code cold} engine's every
 * generation, and the fallback of the others while their image or standby holds what framework
 * initializers made of files that have changed since.
 */
public final class FreshJvm {
    private FreshJvm() {
    }

    public static Engine.Launched launch(LaunchConfig cfg, Console console, GenerationRequest request, String how)
            throws CracDevException {
        try {
            String bootToken = ChildProtocol.newToken(); // on the command line: replaced by the go line's
            ChildProcess child = ChildProcess.start("gen-" + request.number(),
                    JvmCommand.build(cfg, "cold", List.of(), bootToken), cfg.workDir(), console, true, bootToken);
            child.release(request, false);
            return new Engine.Launched(child, how);
        } catch (IOException e) {
            throw new CracDevException(ExitCode.UNSUPPORTED,
                    "could not start " + cfg.java() + " (" + e.getMessage() + "); check --java or JAVA_HOME");
        }
    }
}
