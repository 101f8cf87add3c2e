/**
 * The audit log ({@code gprocd --audit-log FILE}): one JSON object per line for every authentication and every
 * process-control action (clone, exec, signal, wipe, exit) and every refusal of one.
 *
 * <p>Contract: the file is opened for appending only (created 0600 if missing, never truncated or rewritten), so a
 * restarted daemon continues after the lines of the one before. Each line is a complete JSON object whose first two
 * fields are {@code time} (ISO-8601 UTC) and {@code event}. Strings are escaped so that no byte a client sends
 * (control characters, quotes, newlines, broken UTF-8, lone surrogates) can end a line early or forge a field.
 *
 * <p>Trust model: the daemon's callers are trusted to name the principal; everything else in an event (argv, paths,
 * reasons) may come from a client and is treated as data. Recording never blocks a 9P request on the disk: events go
 * to a queue and one writer thread appends them (see {@link org.gproc.daemon.audit.AuditLog} for what a crash or a
 * full disk costs).
 */
package org.gproc.daemon.audit;
