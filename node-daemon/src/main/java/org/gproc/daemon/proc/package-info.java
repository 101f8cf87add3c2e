/**
 * Processes and their output on one node: {@link org.gproc.daemon.proc.ProcessLauncher} starts a command in its own
 * session and process group with exactly the argv, environment and directory it is given and reports its exact exit
 * status ({@link org.gproc.transport.xcpu.ExitStatus}); {@link org.gproc.daemon.proc.Spool} serves the output files the
 * process writes directly, with parked reads and an explicit cap; {@link org.gproc.daemon.proc.SpoolWatcher} is the
 * one inotify watcher behind both; {@link org.gproc.daemon.proc.BlobCache} keeps pushed binaries by sha256;
 * {@link org.gproc.daemon.proc.Signals} names signals.
 *
 * <p>Trust model: callers (the session layer) have already authorized the principal; what they pass here (argv, env,
 * paths inside a session, blob names and contents, signal names) is still checked strictly, because it comes from the
 * network. Nothing here runs a shell. A process runs as the daemon's user; its session directory and spools are
 * private to the daemon (mode 0700/0600). No daemon thread is spent per running process (output goes to files, exits
 * are noticed by the watcher), except in the ProcessBuilder fallback used when no C compiler is present.
 */
package org.gproc.daemon.proc;
