/**
 * Sessions of one virtual node: allocation by {@code clone}, ownership, the state machine (new → running → exited,
 * wiped at any point), limits, and reaping after a grace period on a shared timer, and the parsing of ctl writes
 * against the verb tables ({@link org.gproc.daemon.session.CtlCommand}). The text formats themselves (tokenize
 * quoting, exit status, procs and state lines, the verb tables) live in {@link org.gproc.transport.xcpu}, shared
 * with the client.
 *
 * <p>Trust model: the principal handed in by the caller is the transport's authenticated identity and is trusted as
 * such; everything else (ctl lines, argv, env, paths) is hostile input, parsed strictly and bounded by the configured
 * limits before anything is allocated or executed. A session is visible only to the principal that cloned it and to
 * the configured admin principals.
 */
package org.gproc.daemon.session;
