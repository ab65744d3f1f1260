package dev.cracdev.it;

import dev.cracdev.engine.criu.Criu;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Tests that need a usable CRIU: skipped visibly without one, except in CI (CI=true), where they must run. */
public final class CriuRequirement {
    private CriuRequirement() {
    }

    /** The usable CRIU, or the test is skipped (failed in CI) with the reason and the fix. */
    public static Criu.Probe require() {
        Criu.Probe probe = Criu.probe();
        if (!probe.usable() && System.getenv("CI") != null) {
            fail("CI must run the criu tests, but " + probe.reason() + " (" + probe.fix() + ")");
        }
        assumeTrue(probe.usable(), "criu engine not usable here: " + probe.reason());
        return probe;
    }
}
