/**
 * The portable engine: a JVM parked at the framework/app boundary, released on the next change.
 */
package dev.cracdev.engine.standby;
