package org.gproc.daemon.tree;

import org.gproc.daemon.session.NodeEnv;
import org.gproc.daemon.session.NodeReports;
import org.gproc.daemon.session.Session;
import org.gproc.daemon.session.SessionCtl;
import org.gproc.daemon.session.VirtualNode;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.server.OpenFile;
import org.gproc.transport.xcpu.NodeVerb;

import java.nio.charset.StandardCharsets;

/** Opening the node's own files: clone, arch, uname, env, procs, state, ctl. */
final class NodeFiles {

    private NodeFiles() {
    }

    static OpenFile open(SynthEntry e, int mode) throws NinePException {
        XcpuTree.View view = e.view();
        VirtualNode node = view.node();
        return switch (e.type()) {
            case CLONE -> {
                requireAudit(node, view.principal(), "clone");
                Session s = node.sessions().create(view.principal(), view.via());
                SynthEntry ctl = new SynthEntry(view, FileType.CTL, s);
                yield new TextFile(ctl, s, () -> utf8(Integer.toString(s.id())),
                        (offset, data) -> {
                            requireAudit(node, view.principal(), "ctl");
                            SessionCtl.apply(s, view.principal(), view.via(), new String(data, StandardCharsets.UTF_8));
                        });
            }
            case ARCH -> new TextFile(e, null, () -> utf8(view.tree().reportedArch()), null);
            case UNAME -> new TextFile(e, null, () -> utf8(XcpuTree.uname()), null);
            case NODE_ENV -> {
                boolean writing = (mode & 3) != Message.OREAD || (mode & Message.OTRUNC) != 0;
                if (writing && !view.isAdmin()) {
                    throw new NinePException("env: only admins may change the node environment ("
                            + view.principal() + " is not one)");
                }
                yield new TextFile(e, null, () -> utf8(NodeEnv.format(node.env().snapshot())),
                        (offset, data) -> node.env().apply(new String(data, StandardCharsets.UTF_8)));
            }
            case PROCS -> new TextFile(e, null,
                    () -> utf8(NodeReports.procs(node.sessions().visibleTo(view.principal()))), null);
            case STATE -> new TextFile(e, null, () -> utf8(NodeReports.state(node, view.tree().version())), null);
            case NODE_CTL -> new TextFile(e, null, NodeFiles::nodeCtlUsage,
                    (offset, data) -> {
                        requireAudit(node, view.principal(), "ctl");
                        SessionCtl.applyToNode(node, view.principal(), new String(data, StandardCharsets.UTF_8));
                    });
            default -> throw new NinePException("open '" + e.name() + "': not a node file");
        };
    }

    /**
     * Fail closed: what the audit log must record (a clone, a ctl write) is refused while the log cannot be written,
     * with the log's reason. The refusal is still offered to the log: its write is the retry that finds the disk
     * writable again.
     */
    static void requireAudit(VirtualNode node, String principal, String what) throws NinePException {
        String message = node.services().audit().refusalOf(what);
        if (message != null) {
            node.audit(what).field("principal", principal).refused(message).ifWritable().log();
            throw new NinePException(message);
        }
    }

    private static byte[] nodeCtlUsage() {
        StringBuilder text = new StringBuilder();
        for (NodeVerb v : NodeVerb.values()) {
            text.append(v.usage()).append('\n');
        }
        return utf8(text.toString());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
