package dev.cracdev.supervisor;

/**
 * What a {@link Generation} tells the supervisor's loop, in the order it happened. The generation has
 * already interpreted its child's protocol lines and readiness probe: the loop only decides.
 */
sealed interface GenerationEvent {
    Generation generation();

    /** Released into the app phase: {@code main} is about to run. */
    record Started(Generation generation) implements GenerationEvent {
    }

    /** The readiness probe passed ({@code signal} says which: "url", "port", "log line", "main returned", "ready image"). */
    record Ready(Generation generation, String signal) implements GenerationEvent {
    }

    /** Not ready long after it started ({@link Generation#NOT_READY_HINT}); {@code hint} says why, as far as known. */
    record NotReadyYet(Generation generation, String hint) implements GenerationEvent {
    }

    /** The heap was trimmed for the ready image. */
    record Trimmed(Generation generation) implements GenerationEvent {
    }

    /** The fixture hook ran. */
    record FixtureDone(Generation generation) implements GenerationEvent {
    }

    /** The fixture hook threw; {@code message} is its exception. */
    record FixtureFailed(Generation generation, String message) implements GenerationEvent {
    }

    /** The runtime wrote the framework classes it loaded to the recorded class list. */
    record ClassListSaved(Generation generation) implements GenerationEvent {
    }

    /** The process is gone and its output drained; {@code status} as {@link ExitReason#describe} reads it. */
    record Exited(Generation generation, int status) implements GenerationEvent {
    }
}
