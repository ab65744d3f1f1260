/**
 * The supervisor's control socket and its line protocol, for the CLI, scripts and the JUnit extension. JDK only.
 */
package dev.cracdev.control;
