/**
 * The warm control node: a per-user agent that keeps the connections to the nodes and a JIT-warm JVM, and runs the
 * one-shot commands (exec, ps, kill, status, attach) for a thin client, the way OpenSSH's ControlMaster and nailgun
 * do.
 *
 * <p>Contract: a command run through the agent behaves as the same command run directly. The agent runs the same
 * picocli command line in-process with the client's argv, environment and working directory; the client's stdin,
 * stdout and stderr travel in {@link org.gproc.cli.agent.Wire} frames, its SIGINT, SIGTERM and SIGHUP reach the
 * handlers the command installed, and its exit status comes back last. The only difference is where the cluster's
 * connections come from: {@link org.gproc.cli.agent.ClusterPool} lends still-open ones, made with the same identity,
 * known_hosts and host-key policy the direct command would use, and makes new ones when those files change.
 *
 * <p>Trust model: the agent serves one user. Its socket is in a directory that must be that user's and mode 0700
 * ({@link org.gproc.cli.agent.AgentPaths}), the socket itself is 0600, and every connection's peer uid (SO_PEERCRED,
 * the kernel's record) must be the agent's own, else it is refused and logged. The agent never listens on TCP, loads
 * only the keys the user's own command line names, forwards no agent or key, and checks host keys as the command
 * line does. The thin client in turn checks that the socket's directory is its user's and that the agent's uid is
 * its own before it sends anything (the environment it sends may hold secrets).
 */
package org.gproc.cli.agent;
