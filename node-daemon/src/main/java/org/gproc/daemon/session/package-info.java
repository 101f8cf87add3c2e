/**
 * Sessions of one virtual node: allocation by {@code clone}, ownership, the state machine (new → running → exited,
 * wiped at any point), limits, and reaping after a grace period on a shared timer. Also the text formats the tree's
 * files use: Plan 9 tokenize quoting ({@link org.gproc.transport.xcpu.Tokens}) and ctl verb tables
 * ({@link org.gproc.daemon.session.CtlCommand}).
 *
 * <p>Trust model: the principal handed in by the caller is the transport's authenticated identity and is trusted as
 * such; everything else (ctl lines, argv, env, paths) is hostile input, parsed strictly and bounded by the configured
 * limits before anything is allocated or executed. A session is visible only to the principal that cloned it and to
 * the configured admin principals.
 */
package org.gproc.daemon.session;
