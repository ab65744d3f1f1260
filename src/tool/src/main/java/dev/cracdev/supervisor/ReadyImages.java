package dev.cracdev.supervisor;

/**
 * When the supervisor takes ready images (for {@code crac-dev reset}). Each costs a short freeze of the
 * app right after it is ready and an image on disk per code version, so by default ({@code auto}) only
 * when resets are expected: with {@code --fixture} or {@code --fixture-hook}, under {@code crac-dev run},
 * or once a reset was asked for.
 */
public enum ReadyImages {
    auto, on, off
}
