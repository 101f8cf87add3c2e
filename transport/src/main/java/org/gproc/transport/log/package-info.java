/**
 * How much gprocd and gproc log, and in what shape: one {@link org.gproc.transport.log.Verbosity} applied to
 * slf4j-simple before the first logger exists. Log lines go to stderr (the journal when gprocd runs under systemd);
 * they never carry key material.
 */
package org.gproc.transport.log;
