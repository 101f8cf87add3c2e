package org.gproc.repl;

import java.util.ArrayList;
import java.util.List;

import org.codehaus.groovy.runtime.InvokerHelper;

/**
 * Reads the {@code nodes} binding without depending on the cluster API's types: anything iterable whose elements
 * are strings or have a {@code name} ({@code getName()}, {@code name()} or a Groovy property).
 */
final class Nodes {

    /** Completion and listings stop here: a cluster larger than this is not listed one by one. */
    static final int LIMIT = 100_000;

    private Nodes() {}

    static List<Object> elements(Object nodes) {
        List<Object> elements = new ArrayList<>();
        if (nodes instanceof Iterable<?> iterable) {
            for (Object node : iterable) {
                if (elements.size() >= LIMIT) {
                    break;
                }
                elements.add(node);
            }
        }
        return elements;
    }

    static List<String> names(Object nodes) {
        return elements(nodes).stream().map(Nodes::name).filter(n -> n != null && !n.isEmpty()).toList();
    }

    static String name(Object node) {
        if (node instanceof CharSequence s) {
            return s.toString();
        }
        Object name = property(node, "name");
        return name == null ? null : name.toString();
    }

    /** A property of a node (record accessor, getter or Groovy property), or null if it has none or it failed. */
    static Object property(Object node, String property) {
        if (node == null) {
            return null;
        }
        try {
            return node.getClass().getMethod(property).invoke(node);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not a record-style accessor: try the bean/Groovy property
        }
        try {
            return InvokerHelper.getProperty(node, property);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
