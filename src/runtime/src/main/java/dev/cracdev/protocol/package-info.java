/**
 * The line protocol between the supervisor and the runtime inside a generation, shared by both sides.
 * JDK-only: it is part of the runtime jar that every generation JVM loads.
 */
package dev.cracdev.protocol;
