/**
 * How the client reaches each node: directly, or through relays ({@code gprocd --relay}) that serve their children's
 * trees under {@code /n/NAME/}. A node is a connection plus a path prefix; many nodes share one relay's connection.
 * Trust model: the client decides whom a relay may accept. It names each child with the host key (or
 * {@code @cert-authority} line) its own known_hosts holds for that node, so every hop's host key is checked against
 * the client's known_hosts, as on a direct connection; a child that proves another key is down with the relay's
 * reason. A relay sees 9P in the clear and acts for the user only on children that trust it ({@code --trusted-relay}).
 */
package org.gproc.client.internal.route;
