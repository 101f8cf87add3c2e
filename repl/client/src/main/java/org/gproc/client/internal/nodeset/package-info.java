/**
 * The node set engine behind {@link org.gproc.client.Hostlist}: a port of ClusterShell 1.9.1's {@code RangeSet},
 * {@code RangeSetND}, {@code NodeSetBase} and {@code ParsingEngine}, kept algorithm for algorithm (including where
 * multi-dimensional sets are folded) so results match ClusterShell's {@code nodeset} exactly. Not an API: these
 * classes are mutable and not thread-safe; {@code Hostlist} wraps them immutably.
 *
 * <p>Indexes have any number of digits, as ClusterShell's: those of up to 17 digits are packed into a {@code long}
 * ({@link org.gproc.client.internal.nodeset.Indexes}), and only a set holding a longer one keeps them as
 * {@code BigInteger}s ({@link org.gproc.client.internal.nodeset.WideIndex}).
 *
 * <p>Differences from ClusterShell: one range holds at most 10,000,000 indexes (a bigger one is refused with the
 * rule); through {@code Hostlist} an unknown {@code @group} is an error, while
 * {@code gproc nodeset} ({@link org.gproc.client.internal.nodeset.CliSet}) makes it empty, as ClusterShell does.
 */
package org.gproc.client.internal.nodeset;
