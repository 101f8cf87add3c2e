/**
 * The XCPU tree a node serves over 9P, generated from tables on every walk (Plan 9 devproc style: a Dirtab per
 * directory, qid.path = (file type, session), qid.vers = the session's incarnation so stale handles fail).
 *
 * <pre>
 * /clone    open: allocates session N, the fid lands on N/ctl; reading that fid returns "N"
 * /arch /uname /env /procs /state /ctl /cache/   node files (formats in NodeReports; env: admins write)
 * /N/ctl    read: "N pid state type=T owner=P spool=ok|capped:... id=J/R [status='exit 0']"; write: verbs, one per line
 * /N/argv /N/env   text, a write at offset 0 replaces; /N/fs/  real files and directories, created over 9P
 * /N/stdin  writes feed the process; /N/stdout /N/stderr  spooled, parked reads; /N/wait  parks until the exit
 * </pre>
 *
 * <p>Trust model: {@link org.gproc.daemon.tree.XcpuTree#attach} receives the principal the transport authenticated;
 * the 9P uname is ignored. A principal sees and reaches only its own sessions (admins: all); another principal's
 * session is indistinguishable from a missing one. Paths inside {@code fs/} are single elements walked one at a time,
 * symbolic links and special files are never served, so nothing outside {@code fs/} is reachable through it.
 * Processes run as the daemon's user, so they are trusted as much as any code that user runs.
 */
package org.gproc.daemon.tree;
