package org.gproc.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff of two line lists, in the form Python's {@code difflib.unified_diff} (and so {@code clush --diff})
 * prints: {@code --- A}, {@code +++ B}, then hunks {@code @@ -1,2 +1,3 @@} with three lines of context, removed
 * lines before added ones within a change. Lines are compared whole; the alignment is a longest common subsequence
 * of what lies between the common head and tail (past {@value #MAX_CELLS} cells the middle counts as replaced, so a
 * huge output cannot exhaust memory).
 */
final class UnifiedDiff {
    private static final int CONTEXT = 3;
    private static final long MAX_CELLS = 4_000_000;

    private UnifiedDiff() {
    }

    /** The diff text, every line ending in a newline; empty when the lists are equal. */
    static String of(String fromName, List<String> from, String toName, List<String> to) {
        List<Character> ops = align(from, to);
        if (ops.stream().allMatch(op -> op == ' ')) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        out.append("--- ").append(fromName).append('\n').append("+++ ").append(toName).append('\n');
        List<int[]> changes = changeRuns(ops);
        int i = 0;
        while (i < changes.size()) {
            int j = i;
            while (j + 1 < changes.size() && changes.get(j + 1)[0] - changes.get(j)[1] <= 2 * CONTEXT) {
                j++;
            }
            hunk(out, ops, from, to, Math.max(0, changes.get(i)[0] - CONTEXT),
                    Math.min(ops.size(), changes.get(j)[1] + CONTEXT));
            i = j + 1;
        }
        return out.toString();
    }

    /** One operation per output line: ' ' both, '-' only in {@code from}, '+' only in {@code to}. */
    private static List<Character> align(List<String> from, List<String> to) {
        int head = 0;
        while (head < from.size() && head < to.size() && from.get(head).equals(to.get(head))) {
            head++;
        }
        int tail = 0;
        while (tail < from.size() - head && tail < to.size() - head
                && from.get(from.size() - 1 - tail).equals(to.get(to.size() - 1 - tail))) {
            tail++;
        }
        List<String> a = from.subList(head, from.size() - tail);
        List<String> b = to.subList(head, to.size() - tail);
        List<Character> ops = new ArrayList<>();
        for (int k = 0; k < head; k++) {
            ops.add(' ');
        }
        ops.addAll((long) (a.size() + 1) * (b.size() + 1) > MAX_CELLS ? replaced(a, b) : lcs(a, b));
        for (int k = 0; k < tail; k++) {
            ops.add(' ');
        }
        return removalsFirst(ops);
    }

    private static List<Character> replaced(List<String> a, List<String> b) {
        List<Character> ops = new ArrayList<>();
        a.forEach(x -> ops.add('-'));
        b.forEach(x -> ops.add('+'));
        return ops;
    }

    private static List<Character> lcs(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        int[][] len = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                len[i][j] = a.get(i).equals(b.get(j)) ? len[i + 1][j + 1] + 1 : Math.max(len[i + 1][j], len[i][j + 1]);
            }
        }
        List<Character> ops = new ArrayList<>(n + m);
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(i).equals(b.get(j))) {
                ops.add(' ');
                i++;
                j++;
            } else if (j >= m || (i < n && len[i + 1][j] >= len[i][j + 1])) {
                ops.add('-');
                i++;
            } else {
                ops.add('+');
                j++;
            }
        }
        return ops;
    }

    /** Within each run of changed lines, the removed ones first, as difflib prints a replacement. */
    private static List<Character> removalsFirst(List<Character> ops) {
        List<Character> out = new ArrayList<>(ops.size());
        int k = 0;
        while (k < ops.size()) {
            if (ops.get(k) == ' ') {
                out.add(' ');
                k++;
                continue;
            }
            int minus = 0;
            int plus = 0;
            while (k < ops.size() && ops.get(k) != ' ') {
                if (ops.get(k++) == '-') {
                    minus++;
                } else {
                    plus++;
                }
            }
            for (int x = 0; x < minus; x++) {
                out.add('-');
            }
            for (int x = 0; x < plus; x++) {
                out.add('+');
            }
        }
        return out;
    }

    /** [start, end) positions of each run of changed lines. */
    private static List<int[]> changeRuns(List<Character> ops) {
        List<int[]> runs = new ArrayList<>();
        int k = 0;
        while (k < ops.size()) {
            if (ops.get(k) == ' ') {
                k++;
                continue;
            }
            int start = k;
            while (k < ops.size() && ops.get(k) != ' ') {
                k++;
            }
            runs.add(new int[] {start, k});
        }
        return runs;
    }

    private static void hunk(StringBuilder out, List<Character> ops, List<String> from, List<String> to,
                             int start, int end) {
        int a = 0;
        int b = 0;
        for (int k = 0; k < start; k++) {
            if (ops.get(k) != '+') {
                a++;
            }
            if (ops.get(k) != '-') {
                b++;
            }
        }
        int aLen = 0;
        int bLen = 0;
        StringBuilder body = new StringBuilder();
        int ai = a;
        int bi = b;
        for (int k = start; k < end; k++) {
            char op = ops.get(k);
            if (op == ' ') {
                body.append(' ').append(from.get(ai++)).append('\n');
                bi++;
                aLen++;
                bLen++;
            } else if (op == '-') {
                body.append('-').append(from.get(ai++)).append('\n');
                aLen++;
            } else {
                body.append('+').append(to.get(bi++)).append('\n');
                bLen++;
            }
        }
        out.append("@@ -").append(range(a, aLen)).append(" +").append(range(b, bLen)).append(" @@\n").append(body);
    }

    /** difflib's range: {@code 3} for one line, {@code 3,2} for two, {@code 2,0} for none after line 2. */
    private static String range(int start, int length) {
        if (length == 1) {
            return String.valueOf(start + 1);
        }
        return (length == 0 ? start : start + 1) + "," + length;
    }
}
