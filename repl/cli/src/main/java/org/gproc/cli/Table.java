package org.gproc.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tabular command output: aligned columns for people, one JSON object per row with {@code --json}. */
final class Table {
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... columns) {
        this.columns = List.of(columns);
    }

    Table row(Object... cells) {
        List<String> row = new ArrayList<>(cells.length);
        for (Object c : cells) {
            row.add(String.valueOf(c));
        }
        rows.add(row);
        return this;
    }

    void print(PrintWriter out, boolean json) {
        if (json) {
            for (List<String> row : rows) {
                Map<String, String> obj = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    obj.put(columns.get(i).toLowerCase(java.util.Locale.ROOT), row.get(i));
                }
                StringBuilder line = new StringBuilder("{");
                obj.forEach((k, v) -> line.append(Json.quote(k)).append(':').append(Json.quote(v)).append(','));
                line.setCharAt(line.length() - 1, '}');
                out.println(line);
            }
        } else {
            int[] widths = new int[columns.size()];
            for (int i = 0; i < widths.length; i++) {
                widths[i] = columns.get(i).length();
                for (List<String> row : rows) {
                    widths[i] = Math.max(widths[i], row.get(i).length());
                }
            }
            printRow(out, columns, widths);
            for (List<String> row : rows) {
                printRow(out, row, widths);
            }
        }
        out.flush();
    }

    private static void printRow(PrintWriter out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            boolean last = i == cells.size() - 1;
            line.append(last ? cells.get(i) : String.format("%-" + widths[i] + "s  ", cells.get(i)));
        }
        out.println(line.toString().stripTrailing());
    }
}
