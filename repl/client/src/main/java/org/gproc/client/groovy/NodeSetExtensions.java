package org.gproc.client.groovy;

import groovy.lang.Closure;
import org.codehaus.groovy.runtime.typehandling.DefaultTypeTransformation;
import org.gproc.client.Job;
import org.gproc.client.Node;
import org.gproc.client.NodeSet;

/**
 * Groovy sugar over the plain-Java client API (registered in META-INF/groovy): {@code nodes.findAll { … }} stays a
 * {@link NodeSet}, so the result can {@code run}; {@code job.each { p -> … }} walks its processes.
 */
public final class NodeSetExtensions {
    private NodeSetExtensions() {
    }

    public static NodeSet findAll(NodeSet self, Closure<?> condition) {
        return self.findAll((Node n) -> DefaultTypeTransformation.castToBoolean(condition.call(n)));
    }

    /** {@code job.failed.each { … }} already works; {@code job.each { p -> … }} iterates the processes. */
    public static Job each(Job self, Closure<?> action) {
        self.getProcesses().forEach(action::call);
        return self;
    }
}
