package org.gproc.client.internal.exec;

import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.Pipeline;
import org.gproc.transport.xcpu.SessionVerb;
import org.gproc.transport.xcpu.Tokens;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The 9P exchanges behind one session's process: set-up (spare or clone, blob pushes, the ctl script), the parked
 * reads of {@code ctl}, {@code stdout}, {@code stderr} and {@code wait} that follow it, stdin, the deadline, and
 * signals. It owns the session's ctl fid; everything it learns goes to its {@link SessionProcess}. No thread waits
 * here: each step is a future completed on a transport thread.
 */
final class LaunchFlow {
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final ExecEngine engine;
    /** The node's channel; replaced by its successor when a relay on the way is lost (see {@link #reroute}). */
    private volatile NodeChannel node;
    private final ExecRequest request;
    private final SessionProcess process;
    private final CompletableFuture<Fid> ctl = new CompletableFuture<>();
    private volatile String session = "?";

    LaunchFlow(ExecEngine engine, NodeChannel node, ExecRequest request, SessionProcess process) {
        this.engine = engine;
        this.node = node;
        this.request = request;
        this.process = process;
    }

    /** Follows {@code session} from offset 0, as an earlier control node left it. */
    static LaunchFlow reattach(ExecEngine engine, NodeChannel node, String session, SessionProcess process) {
        LaunchFlow flow = new LaunchFlow(engine, node, null, process);
        flow.session = session;
        Pipeline pipeline = node.client().pipeline();
        Fid ctlFid = pipeline.walk(node.path(session + "/ctl"));
        CompletableFuture<Fid> opened = pipeline.open(ctlFid, Message.ORDWR);
        flow.follow(pipeline, ctlFid, opened, "reattach to session " + session);
        pipeline.send();
        opened.thenAccept(flow.ctl::complete);
        return flow;
    }

    /**
     * Sets the session up in as few round trips as the daemon's in-order handling of pipelined requests allows: with
     * a spare session, one (ctl script, then the reads of ctl, stdout, stderr and wait, all sent back to back);
     * otherwise two (clone and ctl script; then the reads, once the session's number is known). Blobs are pushed
     * meanwhile; their links are in the ctl script, which then waits for them.
     */
    void launch() {
        // Through a relay, this launch's link line is what makes the relay feed the node while the upload arrives:
        // the upload's data waits until it is sent (LinkGate), so it does not queue behind 16 MB on the connection.
        Runnable linkSent = node.isRelayed() && !request.blobs().isEmpty() ? node.blobHome().linkGate().ticket()
                : () -> { };
        CompletableFuture<Void> pushed = pushBlobs();
        String script = request.ctlScript(true);
        byte[] scriptBytes = script == null ? null : script.getBytes(StandardCharsets.UTF_8);
        if (scriptBytes != null && scriptBytes.length > node.client().maxIo()) {
            scriptBytes = null; // longer than one Twrite: argv and env go through their files
        }
        NodeChannel.Spare spare = node.takeSpare();
        Pipeline first = node.client().pipeline();
        Fid ctlFid;
        CompletableFuture<String> number;
        if (spare != null) {
            ctlFid = spare.ctl();
            sessionIs(spare.session());
            number = CompletableFuture.completedFuture(spare.session());
            ctl.complete(ctlFid);
        } else {
            ctlFid = first.walk(node.path("clone"));
            first.open(ctlFid, Message.ORDWR).thenAccept(ctl::complete);
            number = first.read(ctlFid, 0, 32).thenApply(n -> new String(n, StandardCharsets.UTF_8).trim());
        }
        CompletableFuture<Integer> exec = null;
        if (scriptBytes != null && pushed.isDone() && !pushed.isCompletedExceptionally()) {
            exec = first.write(ctlFid, 0, scriptBytes);
            if (spare != null) {
                follow(first, ctlFid, exec, "exec of " + request.program());
            }
        }
        node.cloneSpare(first);
        first.send();
        if (exec != null) {
            linkSent.run();
        }
        if (spare != null && exec != null) {
            return;
        }
        CompletableFuture<Integer> sentExec = exec;
        byte[] oneWrite = scriptBytes;
        number.thenCombine(pushed, (n, v) -> n).whenComplete((n, e) -> {
            if (e != null) {
                linkSent.run();
                fail("exec of " + request.program(), e);
                return;
            }
            sessionIs(n);
            if (sentExec == null && oneWrite == null) {
                linkSent.run(); // the rare slow path writes argv and env first; the data need not wait for them
                execThroughFiles(ctlFid);
                return;
            }
            Pipeline second = node.client().pipeline();
            follow(second, ctlFid, sentExec != null ? sentExec : second.write(ctlFid, 0, oneWrite),
                    "exec of " + request.program());
            second.send();
            linkSent.run();
        });
    }

    private void sessionIs(String number) {
        session = number;
        process.sessionIs(number);
    }

    private CompletableFuture<Void> pushBlobs() {
        if (request.blobs().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(request.blobs().stream().map(b -> BlobPush.readyForLink(engine, node, b))
                .toArray(CompletableFuture[]::new));
    }

    /** The slow path, for an argv or env a ctl line cannot carry: their files first, then the ctl script. */
    private void execThroughFiles(Fid ctlFid) {
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        steps.add(node.writeText(session + "/argv", Tokens.join(request.argv())));
        if (!request.env().isEmpty()) {
            steps.add(node.writeText(session + "/env", Tokens.join(request.envTokens())));
        }
        CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                .thenCompose(v -> node.command(ctlFid, request.ctlScript(false)))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        fail("exec of " + request.program(), e);
                        return;
                    }
                    Pipeline p = node.client().pipeline();
                    follow(p, ctlFid, CompletableFuture.completedFuture(null), "exec of " + request.program());
                    p.send();
                });
    }

    /**
     * Adds to {@code p}, behind whatever starts the process, the reads that follow it: {@code N/ctl} for the pid, and
     * {@code stdout}, {@code stderr} and {@code wait} from offset 0 (parked until there is output, EOF or the exit).
     * If {@code started} fails, the parked reads are flushed and the process fails with {@code what}.
     */
    private void follow(Pipeline p, Fid ctlFid, CompletableFuture<?> started, String what) {
        String dir = node.path(session + "/");
        Fid statusFid = p.walk(dir + "ctl");
        p.open(statusFid, Message.OREAD);
        CompletableFuture<byte[]> statusLine = p.read(statusFid, 0, 256);
        p.clunk(statusFid);
        Stream out = Stream.open(p, dir + "stdout");
        Stream err = Stream.open(p, dir + "stderr");
        Stream waited = Stream.open(p, dir + "wait");
        started.whenComplete((v, e) -> {
            if (e != null) {
                out.abandon();
                err.abandon();
                waited.abandon();
                fail(what, e);
                return;
            }
            statusLine.whenComplete((line, se) -> process.running(se == null ? parsePid(line) : -1L));
            feedStdin();
            armTimeout();
            CompletableFuture<Void> outDone = pump(out, "stdout", process.stdout());
            CompletableFuture<Void> errDone = pump(err, "stderr", process.stderr());
            CompletableFuture<byte[]> exit = exitLine(waited);
            CompletableFuture.allOf(outDone, errDone, exit).whenComplete((x, we) -> {
                if (we != null) {
                    fail("waiting for session " + session, we);
                    return;
                }
                ctlFid.client().clunk(ctlFid);
                process.ended(new String(exit.join(), StandardCharsets.UTF_8).trim());
            });
        });
    }

    /** The pid from a ctl status line {@code N pid state ...}; -1 when the line has none. */
    private static long parsePid(byte[] line) {
        String[] fields = new String(line, StandardCharsets.UTF_8).trim().split("\\s+");
        try {
            return Long.parseLong(fields[1]);
        } catch (RuntimeException bad) {
            return -1L;
        }
    }

    /** A file walked, opened and read from offset 0 in a pipeline; {@link #first} is that read. */
    private record Stream(Fid fid, CompletableFuture<byte[]> first) {
        static Stream open(Pipeline p, String path) {
            Fid fid = p.walk(path);
            p.open(fid, Message.OREAD);
            return new Stream(fid, p.read(fid, 0, Integer.MAX_VALUE));
        }

        /** Flushes the parked read and clunks the fid. */
        void abandon() {
            first.cancel(false);
            clunk();
        }

        void clunk() {
            if (!fid.isClunked()) {
                fid.client().clunk(fid);
            }
        }
    }

    private CompletableFuture<Void> pump(Stream s, String file, OutputBuffer buffer) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        NodeChannel reading = node;
        s.first().whenComplete((data, e) -> {
            if (e != null && !reading.isOpen()) {
                s.clunk();
                reroute(reading, file, 0, buffer, done);
                return;
            }
            if (e != null || data.length == 0) {
                s.clunk();
                buffer.end(e == null ? null : file + ": " + Futures.message(e));
                done.complete(null);
                return;
            }
            buffer.append(data);
            readFrom(s.fid(), file, data.length, buffer, done);
        });
        return done;
    }

    private void readFrom(Fid fid, String file, long offset, OutputBuffer buffer, CompletableFuture<Void> done) {
        NodeChannel reading = node;
        fid.client().read(fid, offset, fid.iounit()).whenComplete((data, e) -> {
            if (e != null && reading.noticeFailure(e)) {
                reroute(reading, file, offset, buffer, done);
                return;
            }
            if (e != null || data.length == 0) {
                fid.client().clunk(fid);
                buffer.end(e == null ? null : Futures.message(e));
                done.complete(null);
                return;
            }
            buffer.append(data);
            readFrom(fid, file, offset + data.length, buffer, done);
        });
    }

    /**
     * The connection under a read was lost (a relay on the way died): once the cluster has found the node another
     * route, the session's {@code file} is opened there and read on from {@code offset}, so no byte is lost or
     * repeated; with no route left, the stream ends with the reason.
     */
    private void reroute(NodeChannel lost, String file, long offset, OutputBuffer buffer, CompletableFuture<Void> done) {
        lost.successor().whenComplete((next, e) -> {
            if (e != null) {
                buffer.end(Futures.message(e));
                done.complete(null);
                return;
            }
            if (node == lost) {
                node = next;
            }
            next.open(session + "/" + file, Message.OREAD).whenComplete((fid, oe) -> {
                if (oe != null) {
                    buffer.end(file + ": " + Futures.message(oe));
                    done.complete(null);
                    return;
                }
                readFrom(fid, file, offset, buffer, done);
            });
        });
    }

    /** The exit line from {@code wait}; read again on the node's new route if its relay is lost meanwhile. */
    private CompletableFuture<byte[]> exitLine(Stream waited) {
        NodeChannel reading = node;
        return waited.first().handle((line, e) -> {
            waited.clunk();
            if (e == null) {
                return CompletableFuture.completedFuture(line);
            }
            if (!reading.noticeFailure(e)) {
                return CompletableFuture.<byte[]>failedFuture(e);
            }
            return reading.successor().thenCompose(next -> {
                if (node == reading) {
                    node = next;
                }
                return next.open(session + "/wait", Message.OREAD).thenCompose(fid -> fid.client()
                        .read(fid, 0, 256).whenComplete((d, re) -> fid.client().clunk(fid)));
            });
        }).thenCompose(f -> f);
    }

    private void feedStdin() {
        if (request == null) {
            return;
        }
        if (request.stdinBytes() != null) {
            node.writeBytes(session + "/stdin", request.stdinBytes())
                    .exceptionally(e -> {
                        stdinFailed(e);
                        return null;
                    });
        } else if (request.stdinStream() != null) {
            node.open(session + "/stdin", Message.OWRITE).thenAccept(fid -> {
                try {
                    engine.stdinPumps().execute(() -> pumpStdin(fid));
                } catch (RejectedExecutionException closed) {
                    // the cluster closed while the stdin file was opening: the command is over, nobody reads it
                    fid.client().clunk(fid);
                }
            });
        }
    }

    private void pumpStdin(Fid fid) {
        try (InputStream in = request.stdinStream().get()) {
            StdinPump.copy(in, fid, Duration.ofMinutes(5));
        } catch (Exception e) {
            stdinFailed(e);
        } finally {
            fid.client().clunk(fid);
        }
    }

    private void stdinFailed(Throwable e) {
        if (!process.isAlive()) {
            return; // it has ended and reads nothing more: input it never got is no failure (as with ssh and pdsh)
        }
        process.stderr().append(("[gproc: stdin: " + Futures.message(e) + "]\n").getBytes(StandardCharsets.UTF_8));
    }

    /** TERM at the deadline, KILL a grace period later if the process is still there. */
    private void armTimeout() {
        Duration timeout = request == null ? null : request.timeout();
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return;
        }
        schedule(() -> {
            if (process.isAlive()) {
                process.deadlinePassed();
                signal("TERM");
                schedule(() -> {
                    if (process.isAlive()) {
                        signal("KILL");
                    }
                }, KILL_GRACE);
            }
        }, timeout);
    }

    /** A closed cluster runs no deadline: its connections, and so its processes' sessions, are gone with it. */
    private void schedule(Runnable task, Duration delay) {
        try {
            engine.timers().schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // nothing to signal through
        }
    }

    /** Writes {@code signal <sig>} to the session's ctl; nothing once the process has ended. */
    CompletableFuture<Void> signal(String signal) {
        return ctl.thenCompose(fid -> {
            if (fid == null || fid.isClunked() || !process.isAlive()) {
                return CompletableFuture.completedFuture(null);
            }
            NodeChannel now = node;
            if (fid.client() != now.client()) { // rerouted: the open ctl fid went with the old connection
                return now.writeText(session + "/ctl", SessionVerb.SIGNAL.line(signal));
            }
            return now.command(fid, SessionVerb.SIGNAL.line(signal));
        });
    }

    private void fail(String what, Throwable e) {
        ctl.thenAccept(fid -> {
            if (fid != null && !fid.isClunked()) {
                fid.client().clunk(fid);
            }
        });
        ctl.complete(null);
        process.fail(what + " failed: " + Futures.message(e));
    }
}
