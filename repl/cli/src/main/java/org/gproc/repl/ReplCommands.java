package org.gproc.repl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import groovy.lang.Closure;
import org.codehaus.groovy.runtime.InvokerHelper;
import org.gproc.client.Cluster;
import org.gproc.client.Node;
import org.gproc.client.ProcessInfo;
import org.gproc.client.ProcessTracker;
import org.gproc.client.RemoteProcess;
import org.gproc.transport.text.EditDistance;

/**
 * The REPL's own commands, typed with a leading slash so they can never be mistaken for Groovy. They read the
 * cluster through the binding ({@code nodes}, {@code cluster}, or a {@code ps} function), so they work with whatever
 * the caller bound.
 */
final class ReplCommands {

    enum Result { CONTINUE, EXIT }

    private static final Map<String, String> HELP = new LinkedHashMap<>();

    static {
        HELP.put("/help", "this list");
        HELP.put("/nodes", "the nodes in this session, their architecture, and which are down and why");
        HELP.put("/ps", "every running process of yours on every node (cluster.ps())");
        HELP.put("/jobs", "processes running in the background (started with start())");
        HELP.put("/fg [node:session...]", "wait for background processes, streaming their output (default: all)");
        HELP.put("/exit", "leave (Ctrl-D does too)");
    }

    static final List<String> NAMES = HELP.keySet().stream().map(k -> k.split(" ")[0]).toList();

    private final Supplier<Map<?, ?>> variables;
    private final ProcessTracker tracker;
    private final TerminalOutput output;
    private final Consumer<List<RemoteProcess>> foreground;

    /** {@code foreground} waits for the given processes as a foreground job (for {@code /fg}). */
    ReplCommands(Supplier<Map<?, ?>> variables, ProcessTracker tracker, TerminalOutput output,
                 Consumer<List<RemoteProcess>> foreground) {
        this.variables = variables;
        this.tracker = tracker;
        this.output = output;
        this.foreground = foreground;
    }

    /** A slash and a letter: {@code /ps}; Groovy never starts a statement that way (a slashy string aside). */
    static boolean isCommand(String line) {
        return line.length() > 1 && line.charAt(0) == '/' && Character.isLetter(line.charAt(1));
    }

    Result run(String line) {
        String[] words = line.trim().split("\\s+");
        switch (words[0]) {
            case "/help" -> help();
            case "/nodes" -> nodes();
            case "/ps" -> ps();
            case "/jobs" -> jobs();
            case "/fg" -> fg(List.of(words).subList(1, words.length));
            case "/exit", "/quit" -> {
                return Result.EXIT;
            }
            default -> output.error(unknown(words[0]));
        }
        return Result.CONTINUE;
    }

    private void help() {
        StringBuilder text = new StringBuilder("Commands:\n");
        HELP.forEach((command, what) -> text.append(String.format("  %-24s %s%n", command, what)));
        text.append("""
                Anything else is Groovy, e.g. nodes.each { it.push('/bin/date').run() }
                Processes started by a line are its foreground job: their output streams as "node: line" and the
                prompt returns when they have all ended. Ctrl-C sends them SIGINT, again SIGKILL, a third time stops
                waiting. Tab completes node names and methods; Ctrl-D leaves.""");
        output.plain(text.toString());
    }

    private void nodes() {
        Object nodes = variables.get().get("nodes");
        if (nodes == null) {
            output.error("/nodes: this session has no nodes (nothing is bound as 'nodes')");
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object node : Nodes.elements(nodes)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("node", Nodes.name(node));
            if (node instanceof Node n) {
                row.put("arch", n.isUp() ? archOf(n) : "down: " + n.getDownReason());
            }
            rows.add(row);
        }
        StringBuilder text = new StringBuilder(rows.size() + (rows.size() == 1 ? " node: " : " nodes: ") + nodes);
        if (!rows.isEmpty()) {
            text.append('\n').append(Table.render(rows));
        }
        if (variables.get().get("cluster") instanceof Cluster cluster) {
            cluster.getDownReasons().forEach((name, why) -> text.append("\ndown: ").append(name).append(" (")
                    .append(why).append(')'));
        }
        output.plain(text.toString());
    }

    private static String archOf(Node node) {
        try {
            return node.getArch();
        } catch (RuntimeException e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    private void ps() {
        Object rows;
        try {
            Object ps = variables.get().get("ps");
            Object cluster = variables.get().get("cluster");
            if (ps instanceof Supplier<?> supplier) {
                rows = supplier.get();
            } else if (ps instanceof Closure<?> closure) {
                rows = closure.call();
            } else if (cluster instanceof Cluster c) {
                rows = c.ps();
            } else if (cluster != null) {
                rows = InvokerHelper.invokeMethod(cluster, "ps", null);
            } else {
                output.error("/ps: this session has no cluster (nothing is bound as 'cluster' or 'ps')");
                return;
            }
        } catch (RuntimeException e) {
            output.error("/ps: " + new ErrorReport(null, false).describe(e));
            return;
        }
        if (rows instanceof Iterable<?> iterable) {
            List<Object> table = new ArrayList<>();
            iterable.forEach(row -> table.add(row instanceof ProcessInfo info ? psRow(info) : row));
            String rendered = Table.render(table);
            output.plain(rendered.isEmpty() ? "no processes" : rendered);
        } else {
            output.plain(String.valueOf(rows));
        }
    }

    /** The columns of {@code procs}, in its order, behind the node. */
    private static Map<String, Object> psRow(ProcessInfo info) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("node", info.getNode());
        row.put("session", info.getSession());
        row.put("pid", info.getPid());
        row.put("state", info.getState());
        row.put("owner", info.getOwner());
        row.put("cpu", info.getCpu());
        row.put("rss", info.getRss());
        row.put("start", info.getStart());
        row.put("argv", info.getArgv());
        return row;
    }

    private void jobs() {
        List<RemoteProcess> background = tracker.background();
        if (background.isEmpty()) {
            output.plain("no background processes");
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        background.sort(Comparator.comparing(RemoteProcess::node).thenComparing(RemoteProcess::session));
        for (RemoteProcess p : background) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("process", p.node() + ":" + p.session());
            row.put("pid", p.pid());
            row.put("state", p.exitStatus().orElse("running"));
            rows.add(row);
        }
        output.plain(Table.render(rows));
    }

    private void fg(List<String> names) {
        List<RemoteProcess> background = tracker.background();
        List<RemoteProcess> chosen = new ArrayList<>();
        for (String name : names) {
            RemoteProcess match = background.stream().filter(p -> (p.node() + ":" + p.session()).equals(name))
                    .findFirst().orElse(null);
            if (match == null) {
                output.error("/fg: no background process '" + name + "' (/jobs lists them as node:session)");
                return;
            }
            chosen.add(match);
        }
        if (names.isEmpty()) {
            chosen.addAll(background);
        }
        if (chosen.isEmpty()) {
            output.plain("no background processes");
            return;
        }
        foreground.accept(chosen);
    }

    static String unknown(String command) {
        return "unknown command '" + command + "'"
                + EditDistance.didYouMean(command, NAMES).map(hint -> " " + hint).orElse("")
                + "; /help lists the commands";
    }

}
