package org.gproc.transport.ninep.server

import groovy.transform.CompileStatic
import org.gproc.transport.ninep.Message
import org.gproc.transport.ninep.NinePException
import org.gproc.transport.ninep.Qid
import org.gproc.transport.ninep.Stat

import java.util.concurrent.CompletableFuture
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger

/**
 * An in-memory {@link FileTree} for tests: plain files and directories, plus a few special files.
 * <ul>
 * <li>{@code parked}: every read waits (holding no thread) until the test calls {@link #releaseParked}.
 * <li>{@code badclunk}: opens fine, but its clunk fails with "badclunk: hash mismatch".
 * <li>{@code clone}: opening it lands on {@code sub/a} (Plan 9 clone semantics: OpenFile.entry() differs).
 * <li>{@code readonly}: mode 0444, so opening it for writing is refused by the tree.
 * </ul>
 * The initial layout: {@code /hello} ("hello world\n"), {@code /sub/a}, {@code /sub/b}, {@code /empty/}, and the
 * special files above. Everything is owned by the attaching principal.
 */
@CompileStatic
class MemoryFileTree implements FileTree {
    static final String HELLO = 'hello world\n'

    final Node root
    final List<String> attachedAs = new CopyOnWriteArrayList<>()
    final ConcurrentLinkedQueue<CompletableFuture<byte[]>> parkedReads = new ConcurrentLinkedQueue<>()
    final AtomicInteger clunks = new AtomicInteger()
    final AtomicInteger treeCalls = new AtomicInteger()
    private long nextPath = 1

    MemoryFileTree() {
        root = new Node(this, null, '/', Stat.DMDIR | 0755)
        file('hello', HELLO.bytes)
        Node sub = dir('sub')
        file('sub/a', 'a\n'.bytes)
        file('sub/b', 'b\n'.bytes)
        dir('empty')
        file('parked', new byte[0]).special = 'parked'
        file('badclunk', new byte[0]).special = 'badclunk'
        file('clone', new byte[0]).special = 'clone'
        file('readonly', 'r/o\n'.bytes, 0444)
        assert sub != null
    }

    synchronized long newPath() {
        nextPath++
    }

    Node dir(String path) {
        Node parent = lookup(path.contains('/') ? path.substring(0, path.lastIndexOf('/')) : '')
        parent.add(new Node(this, parent, path.substring(path.lastIndexOf('/') + 1), Stat.DMDIR | 0755))
    }

    Node file(String path, byte[] content, int perm = 0644) {
        Node parent = lookup(path.contains('/') ? path.substring(0, path.lastIndexOf('/')) : '')
        Node n = parent.add(new Node(this, parent, path.substring(path.lastIndexOf('/') + 1), perm))
        n.data = content
        n
    }

    Node lookup(String path) {
        Node n = root
        for (String name : path.split('/')) {
            if (name) {
                n = n.children[name]
                if (n == null) {
                    throw new IllegalArgumentException("no ${path} in the memory tree")
                }
            }
        }
        n
    }

    byte[] content(String path) {
        lookup(path).data
    }

    /** Completes every parked read waiting now with {@code data}; returns how many there were. */
    int releaseParked(byte[] data) {
        int n = 0
        CompletableFuture<byte[]> f
        while ((f = parkedReads.poll()) != null) {
            if (f.complete(data)) {
                n++
            }
        }
        n
    }

    @Override
    FileEntry attach(String principal, String uname, String aname) throws NinePException {
        treeCalls.incrementAndGet()
        if (aname && aname != '/') {
            throw new NinePException("attach: no tree '${aname}' (this server has only '/')")
        }
        attachedAs << principal
        new Entry(root, principal)
    }

    static class Node {
        final MemoryFileTree tree
        Node parent
        String name
        int perm
        final long path
        int version
        int mtime = 1_700_000_000
        private byte[] buf = new byte[0]
        private int size
        String special
        final Map<String, Node> children = new LinkedHashMap<>()

        Node(MemoryFileTree tree, Node parent, String name, int perm) {
            this.tree = tree
            this.parent = parent
            this.name = name
            this.perm = perm
            this.path = tree.newPath()
        }

        boolean isDir() {
            (perm & Stat.DMDIR) != 0
        }

        synchronized byte[] getData() {
            Arrays.copyOf(buf, size)
        }

        synchronized void setData(byte[] content) {
            buf = content.clone()
            size = content.length
            version++
        }

        synchronized int getLength() {
            size
        }

        synchronized byte[] read(long offset, int count) {
            if (offset >= size) {
                return new byte[0]
            }
            Arrays.copyOfRange(buf, (int) offset, (int) Math.min((long) size, offset + count))
        }

        synchronized void write(long offset, byte[] data) {
            int end = (int) offset + data.length
            if (end > buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 8, buf.length * 2L)))
            }
            System.arraycopy(data, 0, buf, (int) offset, data.length)
            size = Math.max(size, end)
            version++
        }

        Node add(Node child) {
            synchronized (tree) {
                children[child.name] = child
            }
            child
        }

        synchronized Qid qid() {
            new Qid(dir ? Qid.QTDIR : Qid.QTFILE, version, path)
        }
    }

    /** A handle on a node for one principal. */
    @CompileStatic
    static class Entry implements FileEntry {
        final Node node
        final String principal

        Entry(Node node, String principal) {
            this.node = node
            this.principal = principal
        }

        private MemoryFileTree getTree() {
            node.tree
        }

        private void alive() throws NinePException {
            synchronized (tree) {
                if (node.parent == null && !node.is(tree.root)) {
                    throw new NinePException("'${node.name}': file has been removed")
                }
            }
        }

        @Override
        Qid qid() {
            node.qid()
        }

        @Override
        Stat stat() throws NinePException {
            alive()
            tree.treeCalls.incrementAndGet()
            new Stat(0, 0, node.qid(), node.perm, node.mtime, node.mtime, node.dir ? 0L : (long) node.length,
                    node.name, principal, principal, principal)
        }

        @Override
        FileEntry walk(String name) throws NinePException {
            tree.treeCalls.incrementAndGet()
            assert name != '.' && name != '..'
            Node child
            synchronized (tree) {
                child = node.children[name]
            }
            if (child == null) {
                throw new NinePException("'${name}': file does not exist")
            }
            new Entry(child, principal)
        }

        @Override
        FileEntry parent() {
            new Entry(node.parent ?: tree.root, principal)
        }

        @Override
        List<Stat> list() throws NinePException {
            alive()
            List<Node> kids
            synchronized (tree) {
                kids = new ArrayList<>(node.children.values())
            }
            kids.collect { new Entry(it, principal).stat() }
        }

        @Override
        OpenFile open(int mode) throws NinePException {
            alive()
            tree.treeCalls.incrementAndGet()
            int rw = mode & 3
            boolean wantsWrite = rw == Message.OWRITE || rw == Message.ORDWR || (mode & Message.OTRUNC) != 0
            boolean wantsRead = rw != Message.OWRITE
            if (wantsWrite && (node.perm & 0200) == 0 || wantsRead && (node.perm & 0400) == 0) {
                throw new NinePException("'${node.name}': permission denied")
            }
            if (node.special == 'clone') {
                return new MemoryOpenFile(new Entry(tree.lookup('sub/a'), principal))
            }
            if ((mode & Message.OTRUNC) != 0) {
                node.data = new byte[0]
            }
            new MemoryOpenFile(this)
        }

        @Override
        OpenFile create(String name, int perm, int mode) throws NinePException {
            alive()
            Node child
            synchronized (tree) {
                if (node.children.containsKey(name)) {
                    throw new NinePException("'${name}': file already exists")
                }
                child = node.add(new Node(tree, node, name, perm))
            }
            new MemoryOpenFile(new Entry(child, principal))
        }

        @Override
        void remove() throws NinePException {
            synchronized (tree) {
                if (node.is(tree.root)) {
                    throw new NinePException("'/': permission denied")
                }
                if (!node.children.isEmpty()) {
                    throw new NinePException("'${node.name}': directory not empty")
                }
                node.parent?.children?.remove(node.name)
                node.parent = null
            }
        }

        @Override
        void wstat(Stat changes) throws NinePException {
            alive()
            synchronized (tree) {
                if (changes.name()) {
                    if (node.parent.children.containsKey(changes.name())) {
                        throw new NinePException("wstat: '${changes.name()}' already exists")
                    }
                    node.parent.children.remove(node.name)
                    node.name = changes.name()
                    node.parent.children[node.name] = node
                }
                if (changes.mode() != -1) {
                    node.perm = (node.perm & Stat.DMDIR) | (changes.mode() & 0777)
                }
                if (changes.length() != -1L) {
                    node.data = Arrays.copyOf(node.data, (int) changes.length())
                }
            }
        }

        @Override
        String toString() {
            "Entry(${node.name})"
        }
    }

    @CompileStatic
    static class MemoryOpenFile implements OpenFile {
        final Entry entry

        MemoryOpenFile(Entry entry) {
            this.entry = entry
        }

        @Override
        FileEntry entry() {
            entry
        }

        @Override
        CompletableFuture<byte[]> read(long offset, int count) {
            Node n = entry.node
            if (n.special == 'parked') {
                def f = new CompletableFuture<byte[]>()
                n.tree.parkedReads.add(f)
                return f
            }
            CompletableFuture.completedFuture(n.read(offset, count))
        }

        @Override
        CompletableFuture<Integer> write(long offset, byte[] data) {
            Node n = entry.node
            if (offset + data.length > Integer.MAX_VALUE - 8) {
                return CompletableFuture.failedFuture(new NinePException("write: memory files stop at 2 GiB"))
            }
            n.write(offset, data)
            CompletableFuture.completedFuture(data.length)
        }

        @Override
        void clunk() throws NinePException {
            entry.node.tree.clunks.incrementAndGet()
            if (entry.node.special == 'badclunk') {
                throw new NinePException('badclunk: hash mismatch')
            }
        }
    }
}
