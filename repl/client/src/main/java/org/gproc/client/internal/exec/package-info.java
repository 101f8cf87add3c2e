/**
 * How the client drives one node's XCPU tree over 9P: clone a session, write argv/env, push blobs into
 * {@code cache/} and {@code link} them, {@code exec}, then read {@code stdout}, {@code stderr} and {@code wait} from
 * offset 0 with parked reads. Everything is a chain of futures completed on transport threads: no thread per node or
 * per process. Trust model: the node is authenticated by the transport; what it sends back is still parsed
 * defensively (a malformed status line is an error naming the node, never a crash).
 */
package org.gproc.client.internal.exec;
