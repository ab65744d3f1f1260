package dev.cracdev.it;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The contract for the standby engine, plus what makes it worth having. */
class StandbyEngineIT extends AbstractEngineContractIT {
    @Override
    protected String engine() {
        return "standby";
    }

    @Override
    protected void awaitFrameworkPhaseAhead(int nth) throws Exception {
        supervisor.await("standby reached the boundary in \\d+ ms, preloaded [1-9]\\d* classes", nth, T);
    }

    @Test
    void theFrameworkPhaseIsNotOnTheCriticalPathOfAChange() throws Exception {
        startSupervisor("--verbose");
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        // the next standby is parked at the boundary before the change comes (state, not a log line: the
        // line is printed a moment before the standby is handed to the engine)
        supervisor.await("standby reached the boundary", 2, T);
        await().atMost(T).until(() -> SupervisorProcess.run(project.dir, List.of("status", "--json")).output()
                .contains("\"next\":\"standby parked\""));
        project.writeApp("v2", "");
        supervisor.await("\\[crac-dev\\] gen 2 ready in .* release standby \\d+ ms .* framework phase .* done ahead", T);
    }

    @Test
    void theStandbyPreparedAfterTheFirstGenerationBootsOnceWithTheClassListItRecorded() throws Exception {
        startSupervisor("--verbose");
        supervisor.await("\\[crac-dev\\] gen 1 ready in", T);
        await().atMost(T).until(() -> SupervisorProcess.run(project.dir, List.of("status", "--json")).output()
                .contains("\"next\":\"standby parked\""));
        // one standby for gen 1 (no class list yet), one for the next generation: booted once the list was in,
        // not booted before it (preloading nothing) and then replaced
        assertEquals(2, supervisor.count("start standby: "), supervisor.output());
        supervisor.await("standby reached the boundary in \\d+ ms, preloaded [1-9]\\d* classes", T);
    }
}
