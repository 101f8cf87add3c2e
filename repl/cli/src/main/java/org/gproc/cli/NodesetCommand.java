package org.gproc.cli;

import org.gproc.client.GroupResolver;
import org.gproc.client.NodeSetException;
import org.gproc.client.internal.nodeset.CliSet;
import org.gproc.transport.text.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/**
 * {@code gproc nodeset}: ClusterShell 1.9's {@code nodeset} command, argument for argument: its commands, operations
 * and options (read by {@link NodesetOptions} as optparse reads them), its output and its exit statuses (0, 1 for
 * bad input such as a parse error, 2 for bad usage). Groups come from the inventory, as one group source named
 * {@code inventory} (the default; {@code @inventory:compute} and {@code -s inventory} name it): its {@code groups}
 * block, and its nodes for {@code @*}, {@code -a} and wildcards. A group it does not define is empty, as in
 * ClusterShell; another source is an error.
 */
@Command(name = "nodeset", usageHelpAutoWidth = true,
        description = {"Expand, fold or count node sets, exactly as ClusterShell's nodeset.",
            "Commands: -c, --count | -e, --expand | -f, --fold | -l, --list (-ll, -lll) | -L, --list-all"
                    + " | -r, --regroup | --list-sources",
            "Operations: -i, --intersection=NODES | -x, --exclude=NODES | -X, --xor=NODES (before the node sets,"
                    + " or between them)",
            "Options: -a, --all | --autostep=N|N%|auto | -R, --rangeset | -G, --groupbase | -S, --separator=SEP"
                    + " (escapes such as \\n) | -O, --output-format=FORMAT | -I, --slice=RANGESET | --split=N"
                    + " | --contiguous | --axis=RANGESET | --pick=N | -s, --groupsource=SOURCE | -q, --quiet",
            "Syntax: n[01-64,80] r[1-2]n[1-4] n[1-10/2] @group @inventory:group @* n* and the operators ,"
                    + " (union) ! (difference) & (intersection) ^ (symmetric difference), left to right.",
            "Exit status: 0 done, 1 bad input (a parse error), 2 bad usage."},
        footer = {"", "Examples:", "  gproc nodeset -f n1 n2 n3 n5        n[1-3,5]",
            "  gproc nodeset -e 'n[1-8]!n[3-4]'     n1 n2 n5 n6 n7 n8", "  gproc nodeset -c @compute",
            "  gproc nodeset -f n[1-10] -x n[2-3]   n[1,4-10]"})
final class NodesetCommand implements Callable<Integer> {
    /** The name the inventory's groups go by as a group source. */
    static final String SOURCE = "inventory";

    @Parameters(paramLabel = "ARGS", description = "Commands, options and node sets, as for ClusterShell's nodeset.")
    List<String> argv = new ArrayList<>();

    @ParentCommand
    GprocCli gproc;

    @Spec
    CommandSpec spec;

    /**
     * Hands every argument to {@link NodesetOptions}: none of gproc's inherited options (nodeset's {@code -i} is
     * intersection, not the inventory), no end-of-options marker taken away, no @file expansion.
     */
    static void configure(CommandLine nodeset) {
        CommandSpec s = nodeset.getCommandSpec();
        for (OptionSpec option : List.copyOf(s.options())) {
            s.remove(option);
        }
        s.parser().unmatchedOptionsArePositionalParams(true).endOfOptionsDelimiter("\u0000");
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            NodesetOptions o = NodesetOptions.parse(argv);
            if (o.help) {
                spec.commandLine().usage(out);
                return 0;
            }
            if (o.groupsConf != null) {
                throw new NodesetOptions.UsageException("--groupsconf is not supported: gproc's groups come from"
                        + " the inventory's groups block (gproc -i FILE nodeset ...)");
            }
            new Run(o, out, err).run();
            return 0;
        } catch (NodesetOptions.UsageException e) {
            err.println(NodesetOptions.USAGE);
            err.println();
            err.println("nodeset: error: " + e.getMessage());
            return 2;
        } catch (NodeSetException e) {
            err.println("nodeset: Parse error: " + e.getMessage().replaceFirst("^nodeset: ", ""));
            return 1;
        } catch (CliSet.NodeSetSyntax e) {
            err.println("nodeset: Parse error: " + e.getMessage());
            return 1;
        } catch (UnknownSource e) {
            err.println("nodeset: Unknown group source: \"" + e.getMessage() + "\"");
            return 1;
        } catch (PyText.PyError e) {
            err.println(e.getMessage().equals("invalid separator") ? "ERROR: invalid separator"
                    : "nodeset: " + e.getMessage());
            return 1;
        } catch (Failure e) {
            err.println("ERROR: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** ClusterShell's "ERROR: ..." failures (a value it cannot use, an operation without its operand). */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** A group source other than the inventory's. */
    static final class UnknownSource extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownSource(String source) {
            super(source, null, false, false);
        }
    }

    /** One run of the command, in ClusterShell's order of checks and steps. */
    private final class Run {
        private final NodesetOptions o;
        private final PrintWriter out;
        private final PrintWriter err;
        private final Groups groups;
        private String stdinText;

        Run(NodesetOptions o, PrintWriter out, PrintWriter err) {
            this.o = o;
            this.out = out;
            this.err = err;
            this.groups = new Groups(o.groupSource);
        }

        void run() throws IOException {
            int commands = (o.count ? 1 : 0) + (o.expand ? 1 : 0) + (o.fold ? 1 : 0) + (o.list > 0 ? 1 : 0)
                    + (o.listAll > 0 ? 1 : 0) + (o.regroup ? 1 : 0) + (o.listSources ? 1 : 0);
            if (commands == 0) {
                throw new NodesetOptions.UsageException("No command specified.");
            }
            if (commands > 1) {
                throw new NodesetOptions.UsageException("Multiple commands not allowed.");
            }
            if ((o.all || o.regroup) && o.rangeset) {
                throw new NodesetOptions.UsageException("-a/-r only supported in NodeSet mode");
            }
            if (o.split != null && o.contiguous) {
                throw new NodesetOptions.UsageException("incompatible splitting options (split, contiguous)");
            }
            int maxSplit = o.split == null ? 1 : o.split;
            if (o.axis != null && (!o.fold || o.rangeset)) {
                throw new NodesetOptions.UsageException("--axis option is only supported when folding nodeset");
            }
            if (o.groupSource != null && !o.quiet && o.rangeset) {
                err.println("WARNING: option group source \"" + o.groupSource + "\" ignored");
            }
            if (o.listSources) {
                out.println(SOURCE + (o.quiet ? "" : " (default)"));
                return;
            }
            CliSet xset = o.rangeset ? CliSet.ranges() : CliSet.nodes(groups);
            if (o.all) {
                xset.update(xset.parse("@*"));
            }
            if (o.args.isEmpty() && !o.all && o.list == 0 && o.listAll == 0) {
                readStdin(xset, CliSet::update);
            }
            if (xset.isEmpty() && (!o.intersection.isEmpty() || !o.exclude.isEmpty() || !o.xor.isEmpty())
                    && !o.quiet) {
                err.println("WARNING: empty left operand for set operation");
            }
            for (String nodes : o.intersection) {
                operate(xset, nodes, CliSet::intersectionUpdate, false);
            }
            for (String nodes : o.exclude) {
                operate(xset, nodes, CliSet::differenceUpdate, false);
            }
            for (String nodes : o.xor) {
                operate(xset, nodes, CliSet::symmetricDifferenceUpdate, false);
            }
            compute(xset, new ArrayList<>(o.args));
            if (o.list > 0 || o.listAll > 0) {
                list(xset);
                return;
            }
            String separator = PyText.literal(o.separator);
            if (o.slice != null) {
                CliSet sliced = xset.empty();
                for (long[] s : sliceRanges(o.slice)) {
                    sliced.update(xset.slice(pyIndex(s[0], xset.size()), pyIndex(s[1] + 1, xset.size())));
                }
                xset = sliced;
            }
            if ("auto".equals(o.autostep)) {
                xset.autostep(Math.max(3, xset.size()));
            } else if (o.autostep instanceof Double fraction) {
                xset.autostep((long) Math.ceil(xset.size() * fraction));
            } else if (o.autostep instanceof Integer count) {
                xset.autostep((long) count);
            }
            if (o.axis != null) {
                xset.foldAxis(axes(o.axis));
            }
            if (o.pick != null && o.pick < xset.size()) {
                List<String> names = xset.names();
                Collections.shuffle(names);
                xset.intersectionUpdate(xset.ofNames(names.subList(0, Math.max(0, o.pick))));
            }
            String fmt = o.format;
            CliSet printed = xset;
            if (o.fold && !o.rangeset && !fmt.equals("%s")) {
                List<String> formatted = new ArrayList<>();
                for (String name : xset.names()) {
                    formatted.add(PyText.format(fmt, name));
                }
                printed = xset.ofNames(formatted);
            }
            List<CliSet> parts;
            if (printed.isEmpty() || maxSplit <= 1 && !o.contiguous) {
                parts = List.of(printed);
            } else if (o.contiguous) {
                parts = printed.contiguous();
            } else {
                parts = printed.split(maxSplit);
            }
            boolean json = gproc.json() || o.json;
            for (CliSet part : parts) {
                out.println(json ? asJson(part) : result(part, fmt, separator));
            }
        }

        private String result(CliSet x, String fmt, String separator) {
            if (o.expand) {
                List<String> names = new ArrayList<>();
                for (String name : x.names()) {
                    names.add(PyText.format(fmt, name));
                }
                return String.join(separator, names);
            }
            if (o.fold) {
                return o.rangeset || fmt.equals("%s") ? PyText.format(fmt, x.folded()) : x.folded();
            }
            if (o.regroup) {
                return PyText.format(fmt, regroup(x));
            }
            return PyText.format(fmt, x.size());
        }

        /** --json (gproc's own): a count as a number, a fold as a string, an expansion as an array. */
        private String asJson(CliSet x) {
            if (o.count) {
                return Long.toString(x.size());
            }
            if (o.expand) {
                List<String> quoted = new ArrayList<>();
                x.names().forEach(n -> quoted.add(Json.quote(n)));
                return "[" + String.join(",", quoted) + "]";
            }
            return Json.quote(o.regroup ? regroup(x) : x.folded());
        }

        private void operate(CliSet xset, String nodes, BiConsumer<CliSet, CliSet> op, boolean lines)
                throws IOException {
            if (nodes.equals("-")) {
                readStdin(xset, op);
            } else {
                op.accept(xset, lines ? xset.fromList(PyText.splitLines(nodes)) : xset.parse(nodes));
            }
        }

        /** ClusterShell's compute_nodeset: -i/-x/-X and '-' among the node sets, each argument's lines unioned. */
        private void compute(CliSet xset, List<String> args) throws IOException {
            while (!args.isEmpty()) {
                String arg = args.remove(0);
                BiConsumer<CliSet, CliSet> op = switch (arg) {
                    case "-i", "--intersection" -> CliSet::intersectionUpdate;
                    case "-x", "--exclude" -> CliSet::differenceUpdate;
                    case "-X", "--xor" -> CliSet::symmetricDifferenceUpdate;
                    default -> null;
                };
                if (op != null) {
                    if (args.isEmpty()) {
                        throw new Failure("pop from empty list");
                    }
                    operate(xset, args.remove(0), op, true);
                } else if (arg.equals("-")) {
                    readStdin(xset, CliSet::update);
                } else {
                    xset.update(xset.fromList(PyText.splitLines(arg)));
                }
            }
        }

        /**
         * ClusterShell's process_stdin: each line cut at '#' (or, without one, its last character: the newline),
         * every word a set of its own; the operation applies once, if anything was read.
         */
        private void readStdin(CliSet xset, BiConsumer<CliSet, CliSet> op) throws IOException {
            if (stdinText == null) {
                InputStream in = gproc.stdin();
                stdinText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String text = stdinText;
            stdinText = "";
            CliSet read = xset.empty();
            for (String line : PyText.linesKeepingEnds(text)) {
                int hash = line.indexOf('#');
                String kept = hash >= 0 ? line.substring(0, hash) : line.substring(0, Math.max(0, line.length() - 1));
                for (String word : kept.strip().split("\\s+")) {
                    if (!word.isEmpty()) {
                        read.update(xset.parse(word));
                    }
                }
            }
            if (!read.isEmpty()) {
                op.accept(xset, read);
            }
        }

        private void list(CliSet xset) {
            int level = o.list + o.listAll;
            String source = o.groupSource;
            boolean filter = o.all || !xset.isEmpty() || !o.intersection.isEmpty() || !o.exclude.isEmpty()
                    || !o.xor.isEmpty();
            groups.checkSource(source);
            Map<String, String> table = groups.table();
            if (filter) {
                Map<String, String[]> shown = new TreeMap<>();
                for (Map.Entry<String, String> g : table.entrySet()) {
                    CliSet members = xset.parse("@" + g.getKey());
                    CliSet inside = xset.parse("@" + g.getKey());
                    inside.intersectionUpdate(xset);
                    if (!inside.isEmpty()) {
                        String key = source != null && !o.groupBase ? "@" + source + ":" + g.getKey()
                                : "@" + g.getKey();
                        shown.put(key, new String[] {inside.folded(), Long.toString(inside.size()),
                            Long.toString(members.size())});
                    }
                }
                shown.forEach((name, v) -> out.println(level == 1 ? name : level == 2 ? name + " " + v[0]
                        : name + " " + v[0] + " " + v[1] + "/" + v[2]));
            } else {
                for (String g : table.keySet()) {
                    String name = source != null && !o.groupBase ? "@" + source + ":" + g : "@" + g;
                    if (level == 1) {
                        out.println(name);
                    } else {
                        CliSet members = xset.parse("@" + g);
                        out.println(level == 2 ? name + " " + members.folded()
                                : name + " " + members.folded() + " " + members.size());
                    }
                }
            }
        }

        /** ClusterShell's regroup: whole groups, largest first, then what no group covers. */
        private String regroup(CliSet x) {
            groups.checkSource(o.groupSource);
            List<String[]> fulls = new ArrayList<>();
            for (String g : groups.table().keySet()) {
                CliSet members = x.parse("@" + g);
                if (!members.isEmpty() && x.containsAll(members)) {
                    fulls.add(new String[] {g, Long.toString(members.size())});
                }
            }
            if (fulls.isEmpty()) {
                return x.folded();
            }
            fulls.sort((a, b) -> {
                int bySize = Long.compare(Long.parseLong(b[1]), Long.parseLong(a[1]));
                return bySize != 0 ? bySize : a[0].compareTo(b[0]);
            });
            CliSet rest = x.empty();
            rest.update(x);
            List<String> chosen = new ArrayList<>();
            for (String[] g : fulls) {
                CliSet members = x.parse("@" + g[0]);
                if (!rest.containsAll(members)) {
                    continue;
                }
                chosen.add(o.groupSource != null && !o.groupBase ? "@" + o.groupSource + ":" + g[0] : "@" + g[0]);
                rest.differenceUpdate(members);
                if (rest.isEmpty()) {
                    Collections.sort(chosen);
                    return String.join(",", chosen);
                }
            }
            Collections.sort(chosen);
            return chosen.isEmpty() ? rest.folded() : String.join(",", chosen) + "," + rest.folded();
        }
    }

    /** -I RANGESET: its folded runs as [first, last] index pairs. */
    private static List<long[]> sliceRanges(String text) {
        CliSet spec = CliSet.ranges().parse(text);
        List<long[]> runs = new ArrayList<>();
        for (String piece : spec.folded().split(",")) {
            if (piece.isEmpty()) {
                continue;
            }
            int dash = piece.indexOf('-', 1);
            long a = Long.parseLong(dash < 0 ? piece : piece.substring(0, dash));
            long b = dash < 0 ? a : Long.parseLong(piece.substring(dash + 1));
            runs.add(new long[] {a, b});
        }
        return runs;
    }

    /** A Python slice bound: negative counts from the end, clamped to [0, size]. */
    private static int pyIndex(long i, long size) {
        long v = i < 0 ? Math.max(0, size + i) : Math.min(i, size);
        return (int) v;
    }

    /** --axis: 1-based axes (a range set) or one negative axis. */
    private static int[] axes(String text) {
        if (!text.startsWith("-")) {
            return CliSet.ranges().parse(text).names().stream().mapToInt(Integer::parseInt).filter(x -> x > 0)
                    .map(x -> x - 1).toArray();
        }
        try {
            return new int[] {Integer.parseInt(text)};
        } catch (NumberFormatException e) {
            throw new Failure("invalid literal for int() with base 10: " + NodesetOptions.pyRepr(text));
        }
    }

    /** The inventory's groups as ClusterShell's default group source named {@link #SOURCE}. */
    private final class Groups implements GroupResolver {
        private final String defaultSource;

        Groups(String defaultSource) {
            this.defaultSource = defaultSource;
        }

        void checkSource(String source) {
            if (source != null && !source.isEmpty() && !source.equals(SOURCE)) {
                throw new UnknownSource(source);
            }
        }

        Map<String, String> table() {
            Map<String, String> table = new TreeMap<>();
            for (String name : gproc.inventory().groupResolver().groupNames()) {
                table.put(name, gproc.inventory().groupResolver().group(name).orElse(""));
            }
            return table;
        }

        @Override
        public Optional<String> group(String name) {
            String source = defaultSource;
            String group = name;
            int colon = name.indexOf(':');
            if (colon >= 0) {
                source = name.substring(0, colon);
                group = name.substring(colon + 1);
            }
            checkSource(source);
            if (group.equals("*")) {
                return Optional.of(String.join(",", allNodes()));
            }
            return Optional.of(gproc.inventory().groupResolver().group(group).orElse(""));
        }

        @Override
        public Collection<String> groupNames() {
            return gproc.inventory().groupResolver().groupNames();
        }

        @Override
        public Collection<String> allNodes() {
            return gproc.inventory().groupResolver().allNodes();
        }
    }
}
