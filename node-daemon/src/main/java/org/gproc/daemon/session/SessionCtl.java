package org.gproc.daemon.session;

import org.gproc.daemon.proc.BlobCache;
import org.gproc.daemon.proc.Signals;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.xcpu.NodeVerb;
import org.gproc.transport.xcpu.SessionVerb;
import org.gproc.transport.xcpu.Tokens;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Carries out writes to a session's {@code ctl} and to the node's {@code ctl}. */
public final class SessionCtl {
    private static final Pattern JOB_ID = Pattern.compile("[^/\\s]{1,200}/[0-9]{1,9}");
    private static final Pattern OCTAL_MODE = Pattern.compile("0?[0-7]{1,3}");

    private SessionCtl() {
    }

    /**
     * Every command {@code principal} (the owner or an admin) wrote to {@code N/ctl} in one write, in order; the first
     * failure stops the rest.
     */
    public static void apply(Session s, String principal, String text) throws NinePException {
        apply(s, principal, null, text);
    }

    /** {@link #apply(Session, String, String)} for {@code principal} acting through the relay {@code via}. */
    public static void apply(Session s, String principal, String via, String text) throws NinePException {
        for (CtlCommand<SessionVerb> c : CtlCommand.parseAll("ctl", SessionVerb.values(), text)) {
            switch (c.verb()) {
                case EXEC -> s.exec(principal, via, c.arg(0));
                case SIGNAL -> s.signal(principal, Signals.parse(c.arg(0)), null);
                case KILL -> s.signal(principal, 9, null);
                case WIPE -> s.wipe(principal, "ctl");
                case CLOSE -> {
                    if (!c.arg(0).equals("stdin")) {
                        throw new NinePException("ctl: close: only 'close stdin' is supported, not 'close "
                                + NodeEnv.abbreviate(c.arg(0)) + "'");
                    }
                    s.closeStdin();
                }
                case DIR -> s.setWorkDir(c.arg(0));
                case ARGV -> s.writeArgv(0, Tokens.join(c.args()).getBytes(StandardCharsets.UTF_8));
                case ENV -> s.writeEnv(0, Tokens.join(c.args()).getBytes(StandardCharsets.UTF_8));
                case LINK -> link(s, c.arg(0), c.arg(1), c.arg(2));
                case ID -> {
                    if (!JOB_ID.matcher(c.arg(0)).matches()) {
                        throw new NinePException("ctl: id: '" + NodeEnv.abbreviate(c.arg(0))
                                + "' is not <job>/<rank> (rank is a number)");
                    }
                    s.setJobId(c.arg(0));
                }
                case TYPE -> s.setType(switch (c.arg(0)) {
                    case "normal" -> Session.Type.NORMAL;
                    case "persistent" -> Session.Type.PERSISTENT;
                    default -> throw new NinePException("ctl: type: '" + NodeEnv.abbreviate(c.arg(0))
                            + "' is neither normal nor persistent");
                });
            }
        }
    }

    /** {@code link <sha256> <path> <octal mode>}: a cached blob into the session's fs/, creating parent dirs. */
    static void link(Session s, String hash, String path, String mode) throws NinePException {
        s.checkFsServed(); // once a mapped user owns fs/, the daemon no longer creates paths in it
        BlobCache.checkName(hash);
        if (!OCTAL_MODE.matcher(mode).matches() || Integer.parseInt(mode, 8) > 0777) {
            throw new NinePException("ctl: link: mode '" + NodeEnv.abbreviate(mode)
                    + "' is not octal permission bits (e.g. 755)");
        }
        Path target = ExecPlan.resolveInside(s.fsRoot(), "link", path);
        if (target.equals(s.fsRoot())) {
            throw new NinePException("ctl: link: '" + path + "' names fs/ itself; give a file path inside it");
        }
        BlobCache cache = s.node().cache();
        if (!cache.contains(hash)) {
            throw new NinePException("ctl: link: no blob " + hash + " in cache/ (push it first)");
        }
        cache.link(hash, s.fsRoot(), s.fsRoot().relativize(target).toString(), Integer.parseInt(mode, 8));
    }

    /** Every command of one write to the node's {@code ctl}: each names a session the caller may see. */
    public static void applyToNode(VirtualNode node, String principal, String text) throws NinePException {
        for (CtlCommand<NodeVerb> c : CtlCommand.parseAll("ctl", NodeVerb.values(), text)) {
            switch (c.verb()) {
                case KILL -> {
                    int sig = Signals.parse(c.arg(0));
                    visibleSession(node, principal, c.arg(1), "signal").signal(principal, sig, null);
                }
                case WIPE -> visibleSession(node, principal, c.arg(0), "wipe").wipe(principal, "ctl");
            }
        }
    }

    private static Session visibleSession(VirtualNode node, String principal, String idText, String event)
            throws NinePException {
        int id = SessionTable.parseId(idText);
        Session s = id < 0 ? null : node.sessions().visible(id, principal);
        if (s == null) {
            String reason = "ctl: no session '" + NodeEnv.abbreviate(idText) + "' on " + node.name();
            node.audit(event).field("session", idText).field("principal", principal)
                    .refused(reason + (id >= 0 && node.sessions().exists(id) ? " (owned by another principal)" : ""))
                    .log();
            throw new NinePException(reason);
        }
        return s;
    }
}
