/**
 * The fork loop: one thread that owns the running generation, reacts to file changes, runtime events and control requests, and reports one status line per generation.
 */
package dev.cracdev.supervisor;
