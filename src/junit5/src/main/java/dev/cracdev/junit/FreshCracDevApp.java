package dev.cracdev.junit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Each test of the annotated class starts against a freshly reset app: before every test the running
 * crac-dev supervisor restores its ready image (the app as it was once up with its fixture loaded) and
 * the test starts when the app is ready again. The supervisor is found through the system property
 * {@code cracdev.socket}, else the environment variable {@code CRACDEV_SOCKET} (set by
 * {@code crac-dev run}), else the project in the working directory.
 *
 * <pre>
 * &#64;FreshCracDevApp
 * class NotesAcceptanceTest { ... }
 * </pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(CracDevExtension.class)
public @interface FreshCracDevApp {
}
