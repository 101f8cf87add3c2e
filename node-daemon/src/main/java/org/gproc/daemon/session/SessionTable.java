package org.gproc.daemon.session;

import org.gproc.daemon.audit.AuditLog;

import org.gproc.transport.ninep.NinePException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The sessions of one virtual node, by number. Numbers start at 1 and are never reused while the node runs.
 * Allocation enforces the per-principal session limit; visibility is owner-or-admin.
 */
public final class SessionTable {
    private static final FileAttribute<?> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private final VirtualNode node;
    private final Map<Integer, Session> sessions = new ConcurrentSkipListMap<>();
    /** Sessions per owner, kept with {@link #sessions} under this table's lock: the limit check is then O(1). */
    private final Map<String, Integer> owned = new HashMap<>();
    private int lastId;

    SessionTable(VirtualNode node) {
        this.node = node;
    }

    /**
     * A new session owned by {@code principal}, with its directory and empty {@code fs/}. At the per-principal limit
     * the principal's oldest finished session that nobody has open is wiped to make room (its output was kept only
     * for a control node that might come back for it); with none such, the clone is refused.
     */
    public Session create(String principal) throws NinePException {
        return create(principal, null);
    }

    /** {@link #create(String)} for {@code principal} acting through the relay {@code via} (audited with it). */
    public Session create(String principal, String via) throws NinePException {
        node.sessionsDir(); // a restarted daemon's sessions are back before the first new number is given
        Session session = null;
        while (session == null) {
            Session evict;
            synchronized (this) {
                int limit = node.limits().maxSessionsPerPrincipal();
                int count = owned.getOrDefault(principal, 0);
                if (count < limit) {
                    int id = ++lastId;
                    session = new Session(node, id, principal, node.sessionsDir().resolve(Integer.toString(id)));
                    sessions.put(id, session);
                    owned.put(principal, count + 1);
                    break;
                }
                evict = oldestFinishedIdle(principal);
                if (evict == null) {
                    String reason = "clone: " + principal + " already has " + count + " sessions on " + node.name()
                            + ", the limit per principal (--max-sessions); wipe some first";
                    viaRelay(node.audit("clone").field("principal", principal), via).refused(reason).log();
                    throw new NinePException(reason);
                }
            }
            evict.wipe(null, "evicted: oldest finished session, to make room under --max-sessions");
        }
        try {
            Files.createDirectory(session.fsRoot().getParent(), PRIVATE);
            Files.createDirectory(session.fsRoot(), PRIVATE);
        } catch (IOException e) {
            session.wipe();
            String reason = "clone: cannot create the session directory on " + node.name() + ": " + e.getMessage();
            node.audit("clone").field("session", session.id()).field("principal", principal)
                    .field("outcome", "failed").field("reason", reason).log();
            throw new NinePException(reason, e);
        }
        viaRelay(session.audit("clone").field("principal", principal), via).accepted().log();
        session.watchDirectory();
        return session;
    }

    /**
     * A session a restarted daemon took back: counted for its owner like any other (also past --max-sessions, which
     * only refuses new clones), and numbers go on above it.
     */
    synchronized void adopt(Session session) {
        sessions.put(session.id(), session);
        owned.merge(session.owner(), 1, Integer::sum);
        reserve(session.id());
    }

    /** New sessions are numbered above {@code id} (a directory an earlier daemon left, adopted or not). */
    synchronized void reserve(int id) {
        lastId = Math.max(lastId, id);
    }

    /** Oldest first (numbers only grow), so the output least likely to be wanted goes first. */
    private Session oldestFinishedIdle(String principal) {
        for (Session s : sessions.values()) {
            if (s.owner().equals(principal) && s.finishedAndIdle()) {
                return s;
            }
        }
        return null;
    }

    /** The live session {@code id} if {@code principal} may see it, else null (no hint that it exists). */
    public Session visible(int id, String principal) {
        Session s = sessions.get(id);
        return s != null && mayAccess(s, principal) ? s : null;
    }

    /** Whether session {@code id} exists, whoever owns it (for audit records only: never tell the client). */
    public boolean exists(int id) {
        return sessions.containsKey(id);
    }

    public boolean mayAccess(Session s, String principal) {
        return s.owner().equals(principal) || node.isAdmin(principal);
    }

    /** The sessions {@code principal} may see, by number. */
    public List<Session> visibleTo(String principal) {
        boolean admin = node.isAdmin(principal);
        List<Session> visible = new ArrayList<>();
        for (Session s : sessions.values()) {
            if (admin || s.owner().equals(principal)) {
                visible.add(s);
            }
        }
        return visible;
    }

    public List<Session> all() {
        return new ArrayList<>(sessions.values());
    }

    public int size() {
        return sessions.size();
    }

    synchronized void remove(Session session) {
        if (sessions.remove(session.id(), session)) {
            owned.computeIfPresent(session.owner(), (owner, n) -> n > 1 ? n - 1 : null);
        }
    }

    /** A session number as written by a client: a decimal without sign or leading zeros. */
    public static int parseId(String text) {
        if (text.isEmpty() || text.length() > 9 || (text.length() > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(text);
    }

    /** Adds {@code "via":RELAY} to an audit line of a principal that acts through a trusted relay. */
    static AuditLog.Event viaRelay(AuditLog.Event event, String via) {
        return via == null ? event : event.field("via", via);
    }
}
