package org.gproc.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a dry run found ({@code cluster.dryRun { ... }}, {@code gproc exec --dry-run}): for every process the body
 * would have started, its node, the node's arch, the command line, and each file that would be pushed with its
 * size and whether the node already has it. Nothing was started and nothing was sent.
 */
public final class DryRun {
    /** A file the launch links into the session: its name there, its size, and whether the node has it cached. */
    public record Send(String name, long bytes, boolean cached) {
    }

    /** One process that would have started: {@code refusal} says why it would not (else null). */
    public record Entry(String node, String arch, String command, List<Send> sends, String refusal) {
        public Entry {
            sends = List.copyOf(sends);
        }

        /** The bytes this node would be sent (files it has cached cost nothing). */
        public long bytesToSend() {
            return sends.stream().filter(s -> !s.cached()).mapToLong(Send::bytes).sum();
        }
    }

    private final List<Entry> entries = Collections.synchronizedList(new ArrayList<>());

    void add(Entry entry) {
        entries.add(entry);
    }

    public List<Entry> getEntries() {
        synchronized (entries) {
            return List.copyOf(entries);
        }
    }

    /** The bytes every node together would be sent. */
    public long getBytesToSend() {
        return getEntries().stream().mapToLong(Entry::bytesToSend).sum();
    }

    /**
     * The report, one block per process: {@code n1 (x86_64): sim -n 8}, then {@code   send sim 16777216 bytes} or
     * {@code   cached libc.so.6 2125328 bytes} per file, {@code   not started: REASON} for a refusal; a total last.
     */
    public String toText() {
        StringBuilder text = new StringBuilder("dry run: nothing was started or sent\n");
        List<Entry> all = getEntries();
        for (Entry e : all) {
            text.append(e.node()).append(e.arch() == null ? "" : " (" + e.arch() + ")").append(": ")
                    .append(e.command()).append('\n');
            if (e.refusal() != null) {
                text.append("  would not start: ").append(e.refusal()).append('\n');
                continue;
            }
            for (Send s : e.sends()) {
                text.append(s.cached() ? "  cached " : "  send ").append(s.name()).append(' ').append(s.bytes())
                        .append(" bytes\n");
            }
        }
        long nodes = all.stream().map(Entry::node).distinct().count();
        text.append("total: ").append(all.size()).append(all.size() == 1 ? " process on " : " processes on ")
                .append(nodes).append(nodes == 1 ? " node, " : " nodes, ").append(getBytesToSend())
                .append(" bytes to send\n");
        return text.toString();
    }

    @Override
    public String toString() {
        return toText();
    }
}
