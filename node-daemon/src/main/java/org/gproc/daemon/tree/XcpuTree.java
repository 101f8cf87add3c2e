package org.gproc.daemon.tree;

import org.gproc.daemon.session.VirtualNode;
import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ninep.server.FileEntry;
import org.gproc.transport.ninep.server.FileTree;

import java.util.Objects;

/**
 * The XCPU tree of one virtual node, generated on every walk from tables ({@link FileType}) and the node's session
 * table — nothing per file is stored. Attach yields the root as the authenticated principal sees it: the node files,
 * {@code cache/}, and only the sessions that principal owns (all of them for an admin).
 */
public final class XcpuTree implements FileTree {
    static final String NODE_OWNER = "gprocd";

    private final VirtualNode node;
    private final String version;
    private final String arch;

    public XcpuTree(VirtualNode node, String version) {
        this(node, version, null);
    }

    /** A tree whose {@code arch} file says {@code reportedArch} (tests only; null: the machine's own). */
    public XcpuTree(VirtualNode node, String version, String reportedArch) {
        this.node = Objects.requireNonNull(node, "node");
        this.version = Objects.requireNonNull(version, "version");
        this.arch = reportedArch != null ? reportedArch : arch();
    }

    /** What the {@code arch} file says. */
    String reportedArch() {
        return arch;
    }

    public VirtualNode node() {
        return node;
    }

    String version() {
        return version;
    }

    @Override
    public FileEntry attach(String principal, String uname, String aname) throws NinePException {
        return attach(principal, null, uname, aname);
    }

    /** The root for {@code principal}; {@code via} (a trusted relay, or null) is named in the audit lines. */
    @Override
    public FileEntry attach(String principal, String via, String uname, String aname) throws NinePException {
        if (principal == null || principal.isEmpty()) {
            throw new NinePException("attach: no authenticated principal");
        }
        return new SynthEntry(new View(this, node, principal, via), FileType.ROOT, null);
    }

    /** {@code arch}: the machine as {@code uname -m} names it. */
    static String arch() {
        String arch = System.getProperty("os.arch", "unknown");
        return switch (arch) {
            case "amd64" -> "x86_64";
            case "arm64" -> "aarch64";
            case "x86" -> "i686";
            default -> arch;
        };
    }

    /** {@code uname}: system and release, as {@code uname -sr} prints them. */
    static String uname() {
        return (System.getProperty("os.name", "unknown") + " " + System.getProperty("os.version", "")).trim();
    }

    /** One principal's attachment: what every entry it reaches carries. */
    record View(XcpuTree tree, VirtualNode node, String principal, String via) {
        boolean isAdmin() {
            return node.isAdmin(principal);
        }
    }
}
