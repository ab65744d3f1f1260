package dev.cracdev.engine;

/** The ways a generation can be produced; {@code auto} picks the best usable one. */
public enum EngineKind {
    auto, crac, criu, standby, cold
}
