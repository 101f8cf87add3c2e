/**
 * The front ends a user types into: the interactive REPL ({@link org.gproc.repl.Repl}) and the batch runner behind
 * {@code gproc run} ({@link org.gproc.repl.ScriptRunner}).
 * <p>
 * Contract: both evaluate Groovy against bindings the caller supplies ({@code cluster}, {@code nodes}, ...) and
 * treat every process started during one evaluation as its foreground job, through the cluster API's
 * {@link org.gproc.client.ProcessTracker}: output streams as {@code node: line} while the processes run, the next
 * prompt (or the end of the run) waits for all of them, and Ctrl-C sends them SIGINT, then SIGKILL, then stops
 * waiting. Neither knows the cluster API's types beyond {@code org.gproc.client}'s process contract; commands such
 * as {@code /nodes} and {@code /ps} read the bindings dynamically. Large fan-outs report progress through
 * {@link org.gproc.client.ProgressListener} ({@link org.gproc.repl.ProgressLine}).
 * <p>
 * Trust model: the user's code runs with the user's full authority in this JVM, as in any Groovy shell; nothing
 * here sandboxes it. What reaches a node is whatever the cluster API sends, under the user's SSH identity. History
 * ({@code ~/.gproc/history}) is created readable by the user only, since command lines can carry arguments the
 * user would rather keep private.
 */
package org.gproc.repl;
