/**
 * Small text helpers shared by the daemon and the client, such as the edit distance behind "did you mean" hints.
 * Pure functions of their arguments; no I/O, no trust decisions.
 */
package org.gproc.transport.text;
