package org.gproc.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.gproc.client.GroupResolver;
import org.gproc.client.internal.nodeset.NodeSetCore;
import org.gproc.client.internal.nodeset.NodeSetParser;
import org.gproc.transport.text.Json;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code gproc nodeset}: ClusterShell's {@code nodeset -e|-f|-c}, with the inventory's groups. Arguments are
 * combined exactly as ClusterShell's command line combines them (each argument's lines unioned, then the arguments
 * unioned); with no argument, node sets are read from standard input (whitespace separated, {@code #} comments).
 */
@Command(name = "nodeset", usageHelpAutoWidth = true,
        description = {"Expand, fold or count node sets, exactly as ClusterShell's nodeset.",
            "Syntax: n[01-64,80] r[1-2]n[1-4] n[1-10/2] @group @* n* and the operators , (union) ! (difference) "
                    + "& (intersection) ^ (symmetric difference), evaluated left to right."},
        footer = {"", "Examples:", "  gproc nodeset -f n1 n2 n3 n5        n[1-3,5]",
            "  gproc nodeset -e 'n[1-8]!n[3-4]'     n1 n2 n5 n6 n7 n8", "  gproc nodeset -c @compute"})
final class NodesetCommand implements Callable<Integer> {
    static final class Mode {
        @Option(names = {"-e", "--expand"}, required = true, description = "Print every node name.")
        boolean expand;

        @Option(names = {"-f", "--fold"}, required = true, description = "Print the folded node set.")
        boolean fold;

        @Option(names = {"-c", "--count"}, required = true, description = "Print the number of nodes.")
        boolean count;
    }

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Mode mode;

    @Option(names = {"-S", "--separator"}, paramLabel = "SEP", defaultValue = " ",
            description = "Separator between names with -e (default: a space).")
    String separator;

    @Parameters(paramLabel = "NODESET", description = "Node sets; none or '-' reads standard input.")
    List<String> expressions = new ArrayList<>();

    @ParentCommand
    GprocCli gproc;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (mode == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "nodeset: say what to print: -e (expand), -f (fold) or -c (count)");
        }
        NodeSetParser parser = new NodeSetParser(new InventoryGroups(gproc));
        NodeSetCore nodes = new NodeSetCore();
        if (expressions.isEmpty()) {
            readStdin(parser, nodes);
        }
        for (String argument : expressions) {
            if (argument.equals("-")) {
                readStdin(parser, nodes);
                continue;
            }
            List<NodeSetCore> lines = new ArrayList<>();
            for (String line : argument.split("\\R")) {
                if (!line.isEmpty() || !argument.isEmpty()) {
                    lines.add(parser.parse(line));
                }
            }
            NodeSetCore fromList = new NodeSetCore();
            fromList.updateAll(lines);
            nodes.update(fromList);
        }
        print(nodes, spec.commandLine().getOut());
        return 0;
    }

    private void readStdin(NodeSetParser parser, NodeSetCore nodes) throws IOException {
        NodeSetCore read = new NodeSetCore();
        BufferedReader in = new BufferedReader(new InputStreamReader(gproc.stdin(), StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            int hash = line.indexOf('#');
            for (String word : (hash >= 0 ? line.substring(0, hash) : line).strip().split("\\s+")) {
                if (!word.isEmpty()) {
                    NodeSetCore one = new NodeSetCore();
                    one.update(parser.parse(word));
                    read.update(one);
                }
            }
        }
        if (!read.isEmpty()) {
            nodes.update(read);
        }
    }

    private void print(NodeSetCore nodes, PrintWriter out) {
        boolean json = gproc.json();
        if (mode.count) {
            out.println(nodes.size());
        } else if (mode.fold) {
            out.println(json ? Json.quote(nodes.toString()) : nodes.toString());
        } else if (json) {
            List<String> quoted = new ArrayList<>();
            nodes.forEach(n -> quoted.add(Json.quote(n)));
            out.println("[" + String.join(",", quoted) + "]");
        } else {
            out.println(String.join(separator, nodes));
        }
        out.flush();
    }

    /** The inventory's groups, read only when an expression names a group or a wildcard. */
    private static final class InventoryGroups implements GroupResolver {
        private final GprocCli gproc;

        InventoryGroups(GprocCli gproc) {
            this.gproc = gproc;
        }

        @Override
        public Optional<String> group(String name) {
            return gproc.inventory().groupResolver().group(name);
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
