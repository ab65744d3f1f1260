package dev.cracdev.runtime;

import dev.cracdev.protocol.ChildProtocol;

/** Runs the crac engine's checkpoint call in a JVM of its own (see CracCheckpointTest). */
public final class CracCheckpointProbe {
    private CracCheckpointProbe() {
    }

    public static void main(String[] args) {
        Boot.takeToken(); // as Boot.main does: the events below carry the token the JVM was given
        ChildProtocol.Message go = CracCheckpoint.checkpointRestore();
        System.out.println("generation " + go.get("gen") + " goes on");
    }
}
