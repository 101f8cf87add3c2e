package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.Message.R;
import org.gproc.transport.ninep.Message.Rwalk;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.server.FidTable.Fid;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One Twalk in progress (walk(5)): each step walks from the entry reached so far as far as that entry can (a proxy
 * forwards every name that stays on its server at once), then the next step goes on from where it stopped. All
 * names walked: newfid gets the entry reached. A first name that fails: Rerror. A later one: Rwalk with the qids
 * that did walk and newfid untouched, unless the failure is an {@link UnreachableException}. Entries reached on the
 * way that no fid will hold are forgotten.
 */
final class Walk {
    private final Fid from;
    private final List<String> names;
    private final CompletableFuture<R> reply;
    private final int tag;
    private final int newfid;
    private final List<Qid> qids = new ArrayList<>();
    private final FidTable fids;
    private final int epoch;

    Walk(FidTable fids, Fid from, List<String> names, CompletableFuture<R> reply, int tag, int newfid) {
        this.fids = fids;
        this.epoch = fids.epoch();
        this.from = from;
        this.names = names;
        this.reply = reply;
        this.tag = tag;
        this.newfid = newfid;
    }

    void step(FileEntry at, int next) {
        while (next < names.size() && at.qid().isDirectory() && names.get(next).equals("..")
                && Dispatcher.sameFile(at.qid(), from.root.qid())) {
            qids.add(at.qid()); // ".." at the attach root stays there
            next++;
        }
        if (next == names.size()) {
            finish(at);
            return;
        }
        if (!at.qid().isDirectory()) {
            stopped(at);
            return;
        }
        int walked = next;
        CompletableFuture<FileEntry.Walked> step;
        try {
            step = Dispatcher.notNull(at.walkAsync(names.subList(next, names.size())), "walk");
        } catch (RuntimeException e) {
            step = CompletableFuture.failedFuture(e);
        }
        step.whenComplete((w, e) -> {
            if (e != null || w == null || (w.qids().isEmpty() && !names.isEmpty())) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (qids.isEmpty() || cause instanceof UnreachableException) {
                    drop(at);
                    reply.completeExceptionally(cause != null ? cause
                            : new IllegalStateException("file tree's walk walked no name"));
                } else {
                    stopped(at);
                }
                return;
            }
            qids.addAll(w.qids());
            if (w.end() != at) {
                drop(at);
            }
            if (w.end() == null) {
                reply.complete(new Rwalk(tag, qids));
                return;
            }
            // Back at the attach root (say, "cache/.."): continue from the root entry itself, which may be a
            // wrapper that serves more than the tree's own root does.
            FileEntry end = w.end() != from.root && Dispatcher.sameFile(w.end().qid(), from.root.qid()) ? from.root : w.end();
            step(end, walked + w.qids().size());
        });
    }

    private void stopped(FileEntry at) {
        drop(at);
        reply.complete(new Rwalk(tag, qids));
    }

    private void finish(FileEntry at) {
        if (names.isEmpty()) { // a clone: the new fid gets an entry of its own
            try {
                Dispatcher.notNull(from.entry.walkAsync(List.of()), "walk").whenComplete((w, e) -> {
                    if (e != null) {
                        reply.completeExceptionally(e);
                    } else {
                        place(Dispatcher.notNull(w.end(), "walk"));
                    }
                });
            } catch (RuntimeException e) {
                reply.completeExceptionally(e);
            }
            return;
        }
        place(at);
    }

    private void place(FileEntry at) {
        try {
            if (newfid == from.number) {
                if (!fids.holds(from)) {
                    throw Errors.of(Errors.INTERRUPTED, "the fid was released while the walk was answered");
                }
                FileEntry old = from.entry;
                from.entry = at;
                from.listing = null;
                if (old != at) {
                    old.forget();
                }
            } else {
                fids.addIfCurrent(newfid, from.root, at, epoch);
            }
            reply.complete(new Rwalk(tag, qids));
        } catch (NinePException | RuntimeException e) {
            at.forget();
            reply.completeExceptionally(e);
        }
    }

    /** An entry reached on the way that no fid will hold. */
    private void drop(FileEntry at) {
        if (at != from.entry && at != from.root) {
            at.forget();
        }
    }
}
