/**
 * {@code gprocd}: {@link org.gproc.daemon.Gprocd} (the thin picocli main) and {@link org.gproc.daemon.GprocDaemon},
 * the embeddable daemon: one SSH server (transport), one or many virtual nodes (multi-instance mode), each a
 * {@link org.gproc.daemon.session.VirtualNode} served as an {@link org.gproc.daemon.tree.XcpuTree}.
 *
 * <p>Trust model: only the SSH layer authenticates; what reaches a node is the principal of the authorized_keys
 * entry (or certificate) that matched. The daemon runs processes as its own Unix user; admins are named on the
 * command line. Limits (sessions per principal, argv/env/push/spool bytes, fids per connection, msize) answer with
 * clear errors and never take the daemon down.
 */
package org.gproc.daemon;
