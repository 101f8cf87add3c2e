package org.gproc.client.groovy;

import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import org.codehaus.groovy.runtime.typehandling.DefaultTypeTransformation;
import org.gproc.client.Cluster;
import org.gproc.client.Job;
import org.gproc.client.Launch;
import org.gproc.client.Node;
import org.gproc.client.NodeSet;
import org.gproc.client.ProcessInfo;
import org.gproc.client.RemoteProcess;

import java.util.List;
import java.util.Map;

/**
 * Groovy sugar over the plain-Java client API (registered in META-INF/groovy): {@code nodes.findAll { … }} stays a
 * {@link NodeSet}, so the result can {@code run}; {@code job.each { p -> … }} walks its processes; {@code cluster.ps(all: true)} names its option.
 */
public final class NodeSetExtensions {
    private NodeSetExtensions() {
    }

    public static NodeSet findAll(NodeSet self, Closure<?> condition) {
        return self.findAll((Node n) -> DefaultTypeTransformation.castToBoolean(condition.call(n)));
    }

    /** {@code nodes.run('/bin/sh') { args '-c', 'make'; timeout 300 }}: the Groovy form of the Consumer overload. */
    public static Job run(NodeSet self, String path,
                          @DelegatesTo(value = Launch.class, strategy = Closure.DELEGATE_FIRST) Closure<?> spec) {
        return self.run(path, (Launch<Job> launch) -> configure(launch, spec));
    }

    public static RemoteProcess run(Node self, String path,
                                    @DelegatesTo(value = Launch.class, strategy = Closure.DELEGATE_FIRST) Closure<?> spec) {
        return self.run(path, (Launch<RemoteProcess> launch) -> configure(launch, spec));
    }

    private static void configure(Launch<?> launch, Closure<?> spec) {
        Closure<?> body = (Closure<?>) spec.clone();
        body.setResolveStrategy(Closure.DELEGATE_FIRST);
        body.setDelegate(launch);
        body.call(launch);
    }

    /** {@code cluster.ps(all: true)}: exited processes too; {@code cluster.ps(all: true, nodes: 'n[1-2]')}. */
    public static List<ProcessInfo> ps(Cluster self, Map<String, Object> options) {
        Object all = options.getOrDefault("all", false);
        Object nodes = options.get("nodes");
        for (String key : options.keySet()) {
            if (!key.equals("all") && !key.equals("nodes")) {
                throw new IllegalArgumentException("ps: unknown option '" + key + "' (the options are all and nodes)");
            }
        }
        boolean everything = DefaultTypeTransformation.castToBoolean(all);
        return nodes == null ? self.ps(everything) : self.ps(String.valueOf(nodes), everything);
    }

    /** {@code nodes.ps(all: true)}. */
    public static List<ProcessInfo> ps(NodeSet self, Map<String, Object> options) {
        for (String key : options.keySet()) {
            if (!key.equals("all")) {
                throw new IllegalArgumentException("ps: unknown option '" + key + "' (the option is all)");
            }
        }
        return self.ps(DefaultTypeTransformation.castToBoolean(options.getOrDefault("all", false)));
    }

    /** {@code job.failed.each { … }} already works; {@code job.each { p -> … }} iterates the processes. */
    public static Job each(Job self, Closure<?> action) {
        self.getProcesses().forEach(action::call);
        return self;
    }
}
