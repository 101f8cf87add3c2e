package org.gproc.repl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.codehaus.groovy.runtime.FormatHelper;
import org.gproc.client.NodeSet;
import org.gproc.client.ProcessInfo;

/**
 * How the REPL prints a line's value. Most values as Groovy prints them; the cluster's own results as a person reads
 * them: {@code job.byOutput()} (node sets to output) folded as {@code dshbak -c} prints it, a process table
 * ({@code cluster.ps()}) as aligned columns.
 */
final class ResultText {
    private static final String RULE = "----------------";

    private ResultText() {
    }

    static String of(Object value) {
        if (value instanceof Map<?, ?> map && !map.isEmpty()
                && map.keySet().stream().allMatch(k -> k instanceof NodeSet)) {
            return folded(map);
        }
        if (value instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(e -> e instanceof ProcessInfo)) {
            return processTable(list);
        }
        return FormatHelper.toString(value);
    }

    /** Each group under a rule with its node set and size, then its text; starts on a fresh line. */
    private static String folded(Map<?, ?> groups) {
        StringBuilder text = new StringBuilder();
        groups.forEach((nodes, output) -> {
            NodeSet set = (NodeSet) nodes;
            String body = output == null ? "" : String.valueOf(output);
            text.append('\n').append(RULE).append('\n')
                    .append(set).append(" (").append(set.size()).append(set.size() == 1 ? " node)" : " nodes)")
                    .append('\n').append(RULE).append('\n')
                    .append(body.endsWith("\n") ? body.substring(0, body.length() - 1) : body);
        });
        return text.toString();
    }

    private static String processTable(List<?> rows) {
        List<Map<String, Object>> table = new ArrayList<>();
        for (Object row : rows) {
            ProcessInfo p = (ProcessInfo) row;
            Map<String, Object> columns = new LinkedHashMap<>();
            columns.put("id", p.getId());
            columns.put("pid", p.getPid());
            columns.put("state", p.getState());
            columns.put("owner", p.getOwner());
            columns.put("argv", p.getArgv());
            table.add(columns);
        }
        return "\n" + Table.render(table);
    }
}
