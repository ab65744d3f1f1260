/**
 * JUnit 5 extension: every test of an annotated class starts against a freshly reset app.
 */
package dev.cracdev.junit;
