package dev.cracdev.engine.cold;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.engine.Engine;
import dev.cracdev.engine.EngineKind;
import dev.cracdev.engine.FreshJvm;
import dev.cracdev.engine.GenerationRequest;
import dev.cracdev.engine.LaunchConfig;

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
        return FreshJvm.launch(cfg, console, request, "launch");
    }

    @Override
    public void close() {
        // no process of its own
    }
}
