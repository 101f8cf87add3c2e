/**
 * Who may run what, and as whom: {@code --local-exec} (which principals may exec node-local files rather than only
 * pushed binaries) and {@code --user-map} (principal to Unix user when gprocd runs as root).
 *
 * <p>Trust model: the principal comes from SSH authentication (never from the requested SSH user name); the map and
 * the allow-list come from the node's administrator and are checked once, at startup, with errors naming the file
 * and line. Nothing here trusts a path a client wrote: the session code resolves it and the spawn helper checks that
 * the file it executes is the one the daemon checked.
 */
package org.gproc.daemon.policy;
