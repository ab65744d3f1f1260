/**
 * The baseline engine: a plain JVM launch per change.
 */
package dev.cracdev.engine.cold;
