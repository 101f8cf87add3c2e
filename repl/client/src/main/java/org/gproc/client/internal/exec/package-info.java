/**
 * How the client drives one node's XCPU tree over 9P: clone a session, write argv/env, push blobs into
 * {@code cache/} and {@code link} them, {@code exec}, then read {@code stdout}, {@code stderr} and {@code wait} from
 * offset 0 with parked reads. Everything is a chain of futures completed on transport threads: no thread per node or
 * per process. {@link org.gproc.client.internal.exec.LaunchFlow} sends those requests and reports to
 * {@link org.gproc.client.internal.exec.SessionProcess}, the {@code Process}-like state callers see;
 * {@link org.gproc.client.internal.exec.ExecEngine} holds what one cluster's launches share (deadline timer, stdin
 * pumps, listener) and is closed with the cluster.
 *
 * <p>Trust model: the node is authenticated by the transport; what it sends back is still parsed defensively with
 * the shared formats of {@link org.gproc.transport.xcpu} (a malformed status line is an error naming the node,
 * never a crash or a guessed exit code).
 */
package org.gproc.client.internal.exec;
