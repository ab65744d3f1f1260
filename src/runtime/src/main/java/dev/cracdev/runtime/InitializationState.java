package dev.cracdev.runtime;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Whether a class has been initialized, without initializing it: {@code sun.misc.Unsafe.shouldBeInitialized}
 * (module jdk.unsupported) where the JDK still has it (JDK 17–21); unknown elsewhere.
 */
final class InitializationState {
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
            unsafe = null; // not on this JDK: every recorded class is taken as initialized, as before
            method = null;
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
