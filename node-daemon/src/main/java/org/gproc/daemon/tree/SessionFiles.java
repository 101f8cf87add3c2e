package org.gproc.daemon.tree;

import org.gproc.daemon.session.Session;
import org.gproc.daemon.session.SessionCtl;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.OpenFile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Opening a session's files: ctl, argv, env, id (text), stdin, stdout, stderr, wait (streams and waits). */
final class SessionFiles {

    private SessionFiles() {
    }

    static OpenFile open(SynthEntry e, int mode) throws NinePException {
        Session s = e.session();
        boolean truncate = (mode & Message.OTRUNC) != 0;
        return switch (e.type()) {
            case CTL -> new TextFile(e, s, () -> NodeFiles.utf8(s.statusLine()),
                    (offset, data) -> {
                        NodeFiles.requireAudit(e.view().node(), e.view().principal(), "ctl");
                        SessionCtl.apply(s, e.view().principal(), e.view().via(),
                                new String(data, StandardCharsets.UTF_8));
                    });
            case ARGV -> {
                if (truncate) {
                    s.writeArgv(0, new byte[0]);
                }
                yield new TextFile(e, s, s::argvBytes, s::writeArgv);
            }
            case ENV -> {
                if (truncate) {
                    s.writeEnv(0, new byte[0]);
                }
                yield new TextFile(e, s, s::envBytes, s::writeEnv);
            }
            case ID -> new TextFile(e, s, () -> NodeFiles.utf8(s.jobId()), null);
            case STDIN -> new StdinFile(e, s);
            case STDOUT -> new SpoolFile(e, s, Session.Stream.STDOUT);
            case STDERR -> new SpoolFile(e, s, Session.Stream.STDERR);
            case WAIT -> new WaitFile(e, s);
            default -> throw new NinePException("open '" + e.name() + "': not a session file");
        };
    }

    /**
     * Base for the stream files: counts as an open fid of the session until clunked. A read parked on it (waiting for
     * output or the exit) is answered with an error when the fid is clunked, so its tag is never left unanswered.
     */
    abstract static class Opened implements OpenFile {
        final FileEntry entry;
        final Session session;
        private boolean clunked;
        private final Set<CompletableFuture<?>> parked = new HashSet<>();

        Opened(FileEntry entry, Session session) {
            this.entry = entry;
            this.session = session;
            session.fileOpened();
        }

        @Override
        public FileEntry entry() {
            return entry;
        }

        @Override
        public CompletableFuture<byte[]> read(long offset, int count) {
            return CompletableFuture.failedFuture(new NinePException("read " + entry + ": write-only file"));
        }

        @Override
        public CompletableFuture<Integer> write(long offset, byte[] data) {
            return CompletableFuture.failedFuture(new NinePException("write " + entry + ": read-only file"));
        }

        @Override
        public void clunk() throws NinePException {
            List<CompletableFuture<?>> waiting;
            synchronized (this) {
                if (clunked) {
                    return;
                }
                clunked = true;
                waiting = new ArrayList<>(parked);
                parked.clear();
            }
            NinePException clunkedWhileWaiting = new NinePException("read " + entry
                    + ": the fid was clunked while the read waited");
            waiting.forEach(f -> f.completeExceptionally(clunkedWhileWaiting));
            try {
                onClunk();
            } finally {
                session.fileClosed();
            }
        }

        void onClunk() {
        }

        /** Tracks a read that may park until it completes or the fid is clunked. */
        <T> CompletableFuture<T> parkable(CompletableFuture<T> read) {
            if (read.isDone()) {
                return read;
            }
            synchronized (this) {
                if (clunked) {
                    read.completeExceptionally(new NinePException("read " + entry + ": the fid is clunked"));
                    return read;
                }
                parked.add(read);
            }
            read.whenComplete((v, e) -> {
                synchronized (this) {
                    parked.remove(read);
                }
            });
            return read;
        }
    }

    /** stdin: writes feed the process in order; the last stdin fid clunked is EOF. Offsets are ignored. */
    static final class StdinFile extends Opened {
        StdinFile(FileEntry entry, Session session) {
            super(entry, session);
            session.stdinOpened();
        }

        @Override
        public CompletableFuture<Integer> write(long offset, byte[] data) {
            return session.writeStdin(data);
        }

        @Override
        void onClunk() {
            session.stdinClunked();
        }
    }

    /** stdout/stderr: reads at any offset from the spool; a read past the end is parked until data or EOF. */
    static final class SpoolFile extends Opened {
        private final Session.Stream stream;

        SpoolFile(FileEntry entry, Session session, Session.Stream stream) {
            super(entry, session);
            this.stream = stream;
        }

        @Override
        public CompletableFuture<byte[]> read(long offset, int count) {
            return parkable(session.read(stream, offset, count));
        }
    }

    /**
     * wait: a read parks until the process exits, then returns {@code exit N}, {@code signal N} or
     * {@code signal N core}; if a spool hit its cap a second line says so ({@code spool capped:stdout at N bytes}).
     */
    static final class WaitFile extends Opened {
        WaitFile(FileEntry entry, Session session) {
            super(entry, session);
        }

        @Override
        public CompletableFuture<byte[]> read(long offset, int count) {
            return parkable(session.waitText().thenApply(text -> TextFile.slice(NodeFiles.utf8(text), offset, count)));
        }

        @Override
        public CompletableFuture<Integer> write(long offset, byte[] data) {
            return CompletableFuture.failedFuture(new NinePException("wait: read-only; a read waits for the exit"));
        }
    }
}
