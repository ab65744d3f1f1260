/**
 * The image store: fingerprints of the framework side, base and ready image directories, the recorded framework class list.
 */
package dev.cracdev.image;
