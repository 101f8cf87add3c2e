package org.gproc.repl;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.codehaus.groovy.runtime.DefaultGroovyMethods;
import org.codehaus.groovy.runtime.FormatHelper;

/**
 * Renders rows as an aligned text table with upper-case headers. A row is a map, a record (columns in component
 * order) or any object (its Groovy properties, {@code class} excluded); the first row decides the columns.
 */
final class Table {

    private Table() {}

    static String render(Iterable<?> rows) {
        List<Map<String, Object>> table = new ArrayList<>();
        for (Object row : rows) {
            table.add(columns(row));
        }
        if (table.isEmpty()) {
            return "";
        }
        List<String> headers = new ArrayList<>(table.get(0).keySet());
        List<List<String>> cells = new ArrayList<>();
        cells.add(headers.stream().map(h -> h.toUpperCase(Locale.ROOT)).toList());
        for (Map<String, Object> row : table) {
            cells.add(headers.stream().map(h -> row.containsKey(h) ? text(row.get(h)) : "").toList());
        }
        int[] widths = new int[headers.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> line : cells) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                l.append(i == widths.length - 1 ? line.get(i) : String.format("%-" + widths[i] + "s  ", line.get(i)));
            }
            out.append(l.toString().stripTrailing()).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> columns(Object row) {
        Map<String, Object> columns = new LinkedHashMap<>();
        if (row instanceof Map<?, ?> map) {
            map.forEach((k, v) -> columns.put(String.valueOf(k), v));
        } else if (row != null && row.getClass().isRecord()) {
            for (RecordComponent c : row.getClass().getRecordComponents()) {
                try {
                    columns.put(c.getName(), c.getAccessor().invoke(row));
                } catch (ReflectiveOperationException e) {
                    columns.put(c.getName(), "?");
                }
            }
        } else if (row instanceof CharSequence || row instanceof Number || row == null) {
            columns.put("value", row);
        } else {
            columns.putAll((Map<String, Object>) (Map<?, ?>) DefaultGroovyMethods.getProperties(row));
            columns.remove("class");
            columns.remove("metaClass");
        }
        return columns;
    }

    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof CharSequence ? value.toString() : FormatHelper.toString(value);
    }
}
