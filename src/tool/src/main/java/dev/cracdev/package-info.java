/**
 * crac-dev's entry point (the only System.exit), its exit codes, its user-facing failure type and its voice on the terminal.
 */
package dev.cracdev;
