/**
 * How generations are produced. One Engine interface, one contract test suite, one subpackage per engine; the shared pieces (child processes, template boot, image engines) live here.
 */
package dev.cracdev.engine;
