/**
 * The node set engine behind {@link org.gproc.client.Hostlist}: a port of ClusterShell 1.9.1's {@code RangeSet},
 * {@code RangeSetND}, {@code NodeSetBase} and {@code ParsingEngine}, kept algorithm for algorithm (including where
 * multi-dimensional sets are folded) so results match ClusterShell's {@code nodeset} exactly. Not an API: these
 * classes are mutable and not thread-safe; {@code Hostlist} wraps them immutably.
 *
 * <p>Deliberate differences from ClusterShell: indexes have at most 17 digits and one range at most 10,000,000
 * indexes; {@code n[1-2-3]} (which ClusterShell reads as {@code n[-2-3]}) is an error; an unknown {@code @group} is
 * an error instead of an empty set.
 */
package org.gproc.client.internal.nodeset;
