package org.gproc.cli;

import org.gproc.client.Job;
import org.gproc.client.Launch;
import org.gproc.client.Node;
import org.gproc.client.NodeSet;
import org.gproc.client.RemoteProcess;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a push sends, for the commands that push ({@code exec --push}, {@code copy}): {@code --libs} adds the
 * program's shared-library closure, {@code --arch ARCH=FILE} (repeated) gives each arch its own binary.
 */
final class PushOptions {
    @Option(names = "--libs", description = "With --push: push the program's shared libraries and its loader too"
            + " (found as this machine's loader finds them), and run it with exactly those.")
    boolean libs;

    @Option(names = "--arch", paramLabel = "ARCH=FILE", description = "With --push: the binary for nodes of arch ARCH"
            + " (repeat per arch, e.g. --arch x86_64=build/sim --arch aarch64=build/sim.arm); a node whose arch has"
            + " none is reported and sent nothing. CMD then only names the job.")
    Map<String, String> perArch = new LinkedHashMap<>();

    /** True when a push flag was given, which needs {@code --push}. */
    boolean any() {
        return libs || !perArch.isEmpty();
    }

    /** The launch pushing {@code program} (null: the per-arch binaries) to one node. */
    Launch<RemoteProcess> push(Node node, String program) {
        Map<String, Object> options = new LinkedHashMap<>(perArch);
        options.put("libs", libs);
        return program == null ? node.push(options) : node.push(options, program);
    }

    /** The launch pushing {@code program} (or the per-arch binaries) to {@code targets}. */
    Launch<Job> push(NodeSet targets, String program) {
        Map<String, Object> options = new LinkedHashMap<>(perArch);
        options.put("libs", libs);
        return perArch.isEmpty() ? targets.push(options, program) : targets.push(options);
    }
}
