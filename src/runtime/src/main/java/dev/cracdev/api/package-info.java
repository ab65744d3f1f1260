/**
 * What an app may ask crac-dev from inside a generation (generation number, engine). Plain system properties underneath.
 */
package dev.cracdev.api;
