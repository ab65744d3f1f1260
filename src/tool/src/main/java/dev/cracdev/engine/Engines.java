package dev.cracdev.engine;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.engine.cold.ColdEngine;
import dev.cracdev.engine.crac.CracEngine;
import dev.cracdev.engine.crac.CracJdk;
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

    /** The engines {@code auto} considers, in order of preference. */
    private static final List<EngineKind> PREFERENCE = List.of(EngineKind.crac, EngineKind.criu, EngineKind.standby, EngineKind.cold);

    /** Every engine's support on this machine for {@code java}, in {@code auto}'s order of preference. */
    public static List<Support> survey(Path java) {
        return PREFERENCE.stream().map(k -> support(k, java)).toList();
    }

    /** Whether one engine can run here (probing only what that engine needs). */
    public static Support support(EngineKind kind, Path java) {
        return switch (kind) {
            case crac -> {
                CracJdk.Probe p = CracJdk.probe(java);
                yield new Support(kind, p.usable(), p.reason(), p.fix());
            }
            case criu -> {
                Criu.Probe p = Criu.probe();
                String lazy = p.usable() && Criu.lazyPages(p.binary()) ? "; restores are lazy (userfaultfd)" : "";
                yield new Support(kind, p.usable(), p.reason() + lazy, p.fix());
            }
            case standby -> new Support(kind, true, "works with any JDK on any OS (a pre-booted JVM kept at the boundary)", "");
            case cold -> new Support(kind, true, "plain launch per change (the baseline)", "");
            case auto -> throw new IllegalArgumentException("auto is a choice, not an engine");
        };
    }

    public static Choice choose(EngineKind requested, Path java) throws CracDevException {
        if (requested != EngineKind.auto) {
            Support s = support(requested, java);
            if (!s.usable()) {
                throw new CracDevException(ExitCode.UNSUPPORTED, "engine " + requested + " cannot run here: "
                        + s.reason() + (s.fix().isEmpty() ? "" : "; " + s.fix()));
            }
            return new Choice(requested, "as requested; " + s.reason());
        }
        List<String> skipped = new ArrayList<>();
        for (EngineKind kind : PREFERENCE) {
            Support s = support(kind, java);
            if (s.usable()) {
                return new Choice(kind, "chosen by auto: " + s.reason()
                        + (skipped.isEmpty() ? "" : " (not " + String.join("; not ", skipped) + ")"));
            }
            skipped.add(kind + ": " + s.reason());
        }
        throw new IllegalStateException("cold is always usable");
    }

    public static Engine create(EngineKind kind, LaunchConfig cfg, Duration restoreTimeout, Console console) {
        return switch (kind) {
            case standby -> new StandbyEngine(cfg, console);
            case cold -> new ColdEngine(cfg, console);
            case criu -> new CriuEngine(cfg, console, restoreTimeout, Criu.probe().binary());
            case crac -> new CracEngine(cfg, console, restoreTimeout);
            default -> throw new IllegalArgumentException("no engine " + kind + " yet");
        };
    }
}
