package dev.cracdev.engine;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.engine.cold.ColdEngine;
import dev.cracdev.engine.criu.Criu;
import dev.cracdev.engine.criu.CriuEngine;
import dev.cracdev.engine.standby.StandbyEngine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Which engines can run here, which one {@code auto} picks and why, and how to make one. */
public final class Engines {
    /** The chosen engine and the sentence that says why. */
    public record Choice(EngineKind kind, String reason) {
    }

    /** Whether an engine is usable here; if not, why and what to do. */
    public record Support(EngineKind kind, boolean usable, String reason, String fix) {
    }

    private Engines() {
    }

    /** Every engine's support on this machine for {@code java}, in {@code auto}'s order of preference. */
    public static List<Support> survey(Path java) {
        List<Support> all = new ArrayList<>();
        Criu.Probe criu = Criu.probe();
        all.add(new Support(EngineKind.criu, criu.usable(), criu.reason(), criu.fix()));
        all.add(new Support(EngineKind.standby, true, "works with any JDK on any OS (a pre-booted JVM kept at the boundary)", ""));
        all.add(new Support(EngineKind.cold, true, "plain launch per change (the baseline)", ""));
        return all;
    }

    public static Choice choose(EngineKind requested, Path java) throws CracDevException {
        List<Support> survey = survey(java);
        if (requested == EngineKind.auto) {
            List<String> skipped = new ArrayList<>();
            for (Support s : survey) {
                if (s.usable()) {
                    String why = s.reason() + (skipped.isEmpty() ? "" : "; not " + String.join(", not ", skipped));
                    return new Choice(s.kind(), "chosen by auto: " + why);
                }
                skipped.add(s.kind() + " (" + s.reason() + ")");
            }
            return new Choice(EngineKind.cold, "chosen by auto: nothing better is usable");
        }
        for (Support s : survey) {
            if (s.kind() == requested) {
                if (!s.usable()) {
                    throw new CracDevException(ExitCode.UNSUPPORTED, "engine " + requested + " cannot run here: "
                            + s.reason() + (s.fix().isEmpty() ? "" : "; " + s.fix()));
                }
                return new Choice(requested, "as requested; " + s.reason());
            }
        }
        throw new CracDevException(ExitCode.USAGE, "unknown engine " + requested);
    }

    public static Engine create(EngineKind kind, LaunchConfig cfg, Duration restoreTimeout, Console console) {
        return switch (kind) {
            case standby -> new StandbyEngine(cfg, console);
            case cold -> new ColdEngine(cfg, console);
            case criu -> new CriuEngine(cfg, console, restoreTimeout, Criu.probe().binary());
            default -> throw new IllegalArgumentException("no engine " + kind + " yet");
        };
    }
}
