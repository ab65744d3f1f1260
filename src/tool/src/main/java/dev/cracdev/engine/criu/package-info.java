/**
 * Checkpoint/restore of a stock JDK with CRIU, driven from outside the JVM, including ready images for crac-dev reset.
 */
package dev.cracdev.engine.criu;
