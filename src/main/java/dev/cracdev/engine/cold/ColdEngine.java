package dev.cracdev.engine.cold;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.engine.ChildProcess;
import dev.cracdev.engine.Engine;
import dev.cracdev.engine.EngineKind;
import dev.cracdev.engine.GenerationRequest;
import dev.cracdev.engine.JvmCommand;
import dev.cracdev.engine.LaunchConfig;
import dev.cracdev.protocol.ChildProtocol;

import java.io.IOException;
import java.util.List;

/** A plain JVM launch per change: the baseline every other engine is measured against, and the fallback. */
public final class ColdEngine implements Engine {
    private final LaunchConfig cfg;
    private final Console console;

    public ColdEngine(LaunchConfig cfg, Console console) {
        this.cfg = cfg;
        this.console = console;
    }

    @Override
    public EngineKind kind() {
        return EngineKind.cold;
    }

    @Override
    public void prepare() {
        // nothing ahead of time: that is the point of the baseline
    }

    @Override
    public Launched launch(GenerationRequest request) throws CracDevException {
        try {
            String bootToken = ChildProtocol.newToken(); // on the command line: replaced by the go line's
            ChildProcess child = ChildProcess.start("gen-" + request.number(),
                    JvmCommand.build(cfg, "cold", List.of(), bootToken), cfg.workDir(), console, true, bootToken);
            child.release(request, false);
            return new Launched(child, "launch");
        } catch (IOException e) {
            throw new CracDevException(ExitCode.UNSUPPORTED,
                    "could not start " + cfg.java() + " (" + e.getMessage() + "); check --java or JAVA_HOME");
        }
    }

    @Override
    public void close() {
        // no process of its own
    }
}
