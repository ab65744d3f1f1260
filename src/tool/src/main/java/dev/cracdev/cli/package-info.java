/**
 * The picocli commands: they turn options into settings and calls, nothing more.
 */
package dev.cracdev.cli;
