/**
 * The gproc client API: what scripts and the REPL use to drive a cluster.
 *
 * <p>{@link org.gproc.client.Hostlist} is the hostlist syntax of ClusterShell and Slurm ({@code n[01-64,80]},
 * {@code @group}, {@code ,} {@code !} {@code &} {@code ^}), expanded and folded exactly as ClusterShell 1.9's
 * {@code nodeset}; the inventory names the nodes (host and port of each node daemon) and groups.
 *
 * <p>Trust model: an inventory file is a Groovy ConfigSlurper file owned by the user, as trusted as their shell
 * profile; the common declarative subset is read without running code, anything else is run by ConfigSlurper.
 * {@code GPROC_NODES} and {@code SLURM_JOB_NODELIST} are parsed as data only. Node set expressions are data: parsing
 * one never runs code or touches the network, and its size is bounded (ranges of at most 10,000,000 indexes).
 */
package org.gproc.client;
