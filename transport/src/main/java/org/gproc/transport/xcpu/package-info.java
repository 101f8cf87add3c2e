/**
 * The XCPU wire vocabulary: every text format a node's tree speaks, written once for the daemon that writes it and
 * the client that reads it (as go-p9p's message types serve its client and server alike). Plan 9 tokenize quoting
 * ({@link org.gproc.transport.xcpu.Tokens}), the {@code wait} file's exit status
 * ({@link org.gproc.transport.xcpu.ExitStatus}), a {@code procs} line ({@link org.gproc.transport.xcpu.ProcsLine}),
 * the {@code state} file ({@link org.gproc.transport.xcpu.NodeState}), the verb tables of the session's and the
 * node's {@code ctl} ({@link org.gproc.transport.xcpu.SessionVerb}, {@link org.gproc.transport.xcpu.NodeVerb}) and
 * what a principal may look like ({@link org.gproc.transport.xcpu.Principal}).
 *
 * <p>Contract: {@code parse(format(x))} gives {@code x} back for every value a constructor accepts, and a parser
 * never accepts text its formatter could not have written: bad input is a {@link
 * org.gproc.transport.ninep.NinePException} that names the file, shows the culprit (control characters escaped,
 * long text cut) and states the rule. Pure functions of their arguments: no I/O, no trust decisions; the daemon
 * still treats everything a client writes as hostile, these types only make the hostile text fail the same way
 * everywhere.
 */
package org.gproc.transport.xcpu;
