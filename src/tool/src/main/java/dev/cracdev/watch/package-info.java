/**
 * File watching with directory-watcher, batched by a quiet period; knows nothing about engines.
 */
package dev.cracdev.watch;
