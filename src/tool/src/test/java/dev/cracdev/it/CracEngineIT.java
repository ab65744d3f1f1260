package dev.cracdev.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The engine contract against a real CRaC JDK. No CRaC JDK can be obtained on our machines, so this
 * runs where {@code CRAC_JAVA_HOME} points to one (e.g. Azul Zulu CRaC, run as root or with a setuid
 * {@code lib/criu}) and is reported as skipped, with that reason, everywhere else. The crac engine's
 * command lines, detection and failure reports are unit-tested without the JDK (engine.crac tests).
 */
class CracEngineIT extends AbstractEngineContractIT {
    private static final String CRAC_JAVA_HOME = System.getenv("CRAC_JAVA_HOME");

    private static final String SKIP_REASON =
            "no CRaC JDK here: set CRAC_JAVA_HOME to a CRaC JDK (e.g. Azul Zulu CRaC) to run the crac engine contract";

    @BeforeAll
    static void sayWhySkipped() {
        if (CRAC_JAVA_HOME == null || CRAC_JAVA_HOME.isBlank()) {
            System.out.println("[CracEngineIT] every test is SKIPPED: " + SKIP_REASON);
        }
    }

    /** Per test, so each one is reported as skipped (with the reason) rather than the class vanishing. */
    @BeforeEach
    void requireCracJdk() {
        assumeTrue(CRAC_JAVA_HOME != null && !CRAC_JAVA_HOME.isBlank(), SKIP_REASON);
    }

    @Override
    protected void awaitFrameworkPhaseAhead(int nth) throws Exception {
        supervisor.await("\\[crac-dev\\] base image ready in .* [1-9]\\d* classes preloaded", nth, T);
    }

    @Override
    protected String engine() {
        return "crac";
    }

    @Override
    protected List<String> engineArgs() {
        return List.of("--java", CRAC_JAVA_HOME);
    }
}
