/**
 * Checkpoint/restore by a CRaC JDK itself (Azul Zulu CRaC), written from CRaC's documented behaviour.
 */
package dev.cracdev.engine.crac;
