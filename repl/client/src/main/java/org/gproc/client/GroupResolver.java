package org.gproc.client;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Resolves {@code @group} names in node set expressions (ClusterShell's group resolver), usually from the
 * inventory's {@code groups} block. {@code @*} names every node, and wildcards ({@code n*}, {@code r?n1}) match
 * against every node too.
 */
public interface GroupResolver {
    /** No groups and no nodes: {@code @x} is an unknown group, a wildcard matches nothing. */
    GroupResolver NONE = of(Map.of(), List.of());

    /** The node set expression of group {@code name} (given without {@code @}), empty if there is no such group. */
    Optional<String> group(String name);

    /** Every group name, sorted. */
    Collection<String> groupNames();

    /** Expressions that together name every known node (for {@code @*} and wildcards). */
    Collection<String> allNodes();

    /** A resolver over a fixed table of group expressions and a list of expressions naming every node. */
    static GroupResolver of(Map<String, String> groups, Collection<String> allNodes) {
        Map<String, String> table = new TreeMap<>(groups);
        List<String> all = List.copyOf(allNodes);
        return new GroupResolver() {
            @Override
            public Optional<String> group(String name) {
                return Optional.ofNullable(table.get(name));
            }

            @Override
            public Collection<String> groupNames() {
                return table.keySet();
            }

            @Override
            public Collection<String> allNodes() {
                return all;
            }
        };
    }
}
