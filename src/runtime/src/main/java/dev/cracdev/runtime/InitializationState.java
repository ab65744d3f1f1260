package dev.cracdev.runtime;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Whether a class has been initialized, without initializing it: {@code sun.misc.Unsafe.shouldBeInitialized}
 * (module jdk.unsupported) where the JDK still has it (JDK 17–21), else {@code jdk.internal.misc.Unsafe}'s,
 * which crac-dev exports to the class path on the JDKs that dropped the former ({@link #EXPORT}); unknown when
 * neither can be reached.
 */
public final class InitializationState {
    /** The JVM option that makes {@code jdk.internal.misc.Unsafe} reachable (JDK 22+: sun.misc's method is gone). */
    public static final String EXPORT = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private static final Object UNSAFE;
    private static final Method SHOULD_BE_INITIALIZED;

    static {
        Object unsafe = null;
        Method method = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = type.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            unsafe = theUnsafe.get(null);
            method = type.getMethod("shouldBeInitialized", Class.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            try { // exported to us by EXPORT, or not reachable
                Class<?> type = Class.forName("jdk.internal.misc.Unsafe");
                unsafe = type.getMethod("getUnsafe").invoke(null);
                method = type.getMethod("shouldBeInitialized", Class.class);
            } catch (ReflectiveOperationException | RuntimeException notExported) {
                unsafe = null; // every recorded class is taken as initialized, as before
                method = null;
            }
        }
        UNSAFE = unsafe;
        SHOULD_BE_INITIALIZED = method;
    }

    private InitializationState() {
    }

    static boolean known() {
        return SHOULD_BE_INITIALIZED != null;
    }

    /** True when {@code c}'s initializer ran and succeeded (only meaningful when {@link #known()}). */
    static boolean initialized(Class<?> c) {
        try {
            return !(Boolean) SHOULD_BE_INITIALIZED.invoke(UNSAFE, c);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }
}
