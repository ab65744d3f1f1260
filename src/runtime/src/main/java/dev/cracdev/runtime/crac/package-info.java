/**
 * What org.crac binds to under crac-dev's own engines, so resources registered with org.crac hear about checkpoints and restores.
 */
package dev.cracdev.runtime.crac;
