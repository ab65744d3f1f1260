package dev.cracdev.api;

/**
 * What an app can ask crac-dev from inside a generation. Plain system properties underneath, so it
 * works without crac-dev too ({@link #isActive()} is then false).
 */
public final class CracDev {
    /** System property the runtime sets to the generation number (1, 2, ...). */
    public static final String GENERATION_PROPERTY = "cracdev.generation";
    /** System property the runtime sets to the engine that produced this generation. */
    public static final String ENGINE_PROPERTY = "cracdev.engine";
    /** System property the runtime sets to "true" when this generation was restored from an image. */
    public static final String RESTORED_PROPERTY = "cracdev.restored";

    private CracDev() {
    }

    /** True when this JVM is a crac-dev generation. */
    public static boolean isActive() {
        return generation() > 0;
    }

    /** This generation's number, or 0 outside crac-dev. */
    public static int generation() {
        return Integer.getInteger(GENERATION_PROPERTY, 0);
    }

    /** The engine ({@code criu}, {@code crac}, {@code standby}, {@code cold}), or "none". */
    public static String engine() {
        return System.getProperty(ENGINE_PROPERTY, "none");
    }

    /** True when this generation was restored from a checkpoint image. */
    public static boolean isRestored() {
        return Boolean.getBoolean(RESTORED_PROPERTY);
    }
}
