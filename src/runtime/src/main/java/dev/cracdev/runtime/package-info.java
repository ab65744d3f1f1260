/**
 * The only crac-dev code inside a generation JVM: system class loader, framework phase, boundary check, app phase. JDK only (enforced by RuntimeIsolationTest).
 */
package dev.cracdev.runtime;
