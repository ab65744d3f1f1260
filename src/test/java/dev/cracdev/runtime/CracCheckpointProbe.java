package dev.cracdev.runtime;

import dev.cracdev.protocol.ChildProtocol;

/** Runs the crac engine's checkpoint call in a JVM of its own (see CracCheckpointTest). */
public final class CracCheckpointProbe {
    private CracCheckpointProbe() {
    }

    public static void main(String[] args) {
        ChildProtocol.Message go = CracCheckpoint.checkpointRestore();
        System.out.println("generation " + go.get("gen") + " goes on");
    }
}
