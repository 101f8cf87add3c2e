package org.gproc.transport.ninep.server;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.Qid;
import org.gproc.transport.ninep.Stat;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One file or directory as seen by one attached principal. A fid points at an entry; entries are cheap handles
 * and may be regenerated on every walk (Plan 9's devproc style): identity is the {@link Qid}.
 * A stale handle (its file is gone) answers its methods with a {@link NinePException}.
 *
 * <p>Answering later (lib9p's {@code respond()}): the server core calls only the {@code ...Async} methods. Their
 * defaults call the plain methods and answer at once, which is all a tree held in this process needs. An entry that
 * stands for another server's file (a relay's {@code /n/NAME/...}) overrides them and completes each future once,
 * when that server has replied, so no frame thread waits. Such an entry owns a resource per fid (the other
 * server's fid): the core calls {@link #forget()} when no fid points at it any more, and clones it with a
 * zero-name {@link #walkAsync} instead of sharing it between fids.
 */
public interface FileEntry {

    Qid qid();

    Stat stat() throws NinePException;

    /** The child called {@code name}; never called with "." or "..". */
    FileEntry walk(String name) throws NinePException;

    /** The parent directory; the root returns itself. */
    FileEntry parent();

    /** The directory's entries; only called on directories (the core packs them into reads). */
    List<Stat> list() throws NinePException;

    /**
     * Opens the file with a 9P open mode ({@code Message.OREAD} … plus OTRUNC/ORCLOSE). Permission checks happen
     * here. The returned file's {@link OpenFile#entry()} may differ from this entry (Plan 9 clone semantics: opening
     * {@code clone} lands on the new session's {@code ctl}).
     */
    OpenFile open(int mode) throws NinePException;

    /** Creates {@code name} in this directory with 9P {@code perm} ({@code DMDIR} for a directory) and opens it. */
    OpenFile create(String name, int perm, int mode) throws NinePException;

    void remove() throws NinePException;

    /** Applies a Twstat; fields holding "don't touch" values ({@link Stat#dontTouch()}) are left alone. */
    default void wstat(Stat changes) throws NinePException {
        throw new NinePException("wstat: permission denied");
    }

    /**
     * How far a walk of {@code names} from this directory got: the qids of the names walked, in order, and the
     * entry reached after the last of them. {@code end} is null when the walk stopped because the next name does
     * not exist; otherwise the core continues from {@code end} with the names not yet walked.
     */
    record Walked(List<Qid> qids, FileEntry end) {
        public Walked {
            qids = List.copyOf(qids);
        }
    }

    /**
     * Walks as many of {@code names} as this entry can in one step ("." never appears; ".." may, and is never asked
     * of the attach root). Zero names asks for an entry the new fid may own (a clone). Fails when the first name
     * does not exist. The default walks one name with {@link #walk} or {@link #parent} and answers at once.
     */
    default CompletableFuture<Walked> walkAsync(List<String> names) {
        if (names.isEmpty()) {
            return CompletableFuture.completedFuture(new Walked(List.of(), this));
        }
        try {
            String name = names.get(0);
            FileEntry next = name.equals("..") ? parent() : walk(name);
            return CompletableFuture.completedFuture(new Walked(List.of(next.qid()), next));
        } catch (NinePException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    default CompletableFuture<Stat> statAsync() {
        return answer(this::stat);
    }

    default CompletableFuture<OpenFile> openAsync(int mode) {
        return answer(() -> open(mode));
    }

    default CompletableFuture<OpenFile> createAsync(String name, int perm, int mode) {
        return answer(() -> create(name, perm, mode));
    }

    default CompletableFuture<Void> removeAsync() {
        return answer(() -> {
            remove();
            return null;
        });
    }

    default CompletableFuture<Void> wstatAsync(Stat changes) {
        return answer(() -> {
            wstat(changes);
            return null;
        });
    }

    /**
     * No fid points at this entry any more (clunked, moved by a walk, dropped halfway through a walk, or the
     * connection ended) and it was never opened; an opened entry is ended by {@link OpenFile#clunkAsync} instead.
     */
    default void forget() {
    }

    /** A plain method's outcome as a future that is already complete. */
    interface Answer<V> {
        V get() throws NinePException;
    }

    static <V> CompletableFuture<V> answer(Answer<V> how) {
        try {
            return CompletableFuture.completedFuture(how.get());
        } catch (NinePException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
