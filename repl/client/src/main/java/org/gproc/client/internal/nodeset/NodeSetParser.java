package org.gproc.client.internal.nodeset;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.gproc.client.GroupResolver;
import org.gproc.client.NodeSetException;

/**
 * Evaluates a node set expression, a port of ClusterShell 1.9's {@code ParsingEngine}: terms separated by the
 * operators {@code ,} (union) {@code !} (difference) {@code &} (intersection) {@code ^} (symmetric difference),
 * evaluated left to right; each term a name with bracketed ranges ({@code r[1-2]n[01-16]}), an {@code @group}, or a
 * wildcard ({@code n*}). Digits next to brackets join the range ({@code n1[0-5]} is {@code n[10-15]}) as in
 * ClusterShell.
 */
public final class NodeSetParser {
    private final GroupResolver groups;
    private final Deque<String> resolving = new ArrayDeque<>();
    private boolean wildcards = true;

    public NodeSetParser(GroupResolver groups) {
        this.groups = groups;
    }

    private record Term(char op, String key, List<RangeSet> ranges, String text) {
        Object indexes() {
            if (ranges.isEmpty()) {
                return null;
            }
            return ranges.size() == 1 ? ranges.get(0) : new RangeSetNd(ranges.toArray(RangeSet[]::new));
        }

        NodeSetCore core() {
            return NodeSetCore.of(key, indexes());
        }
    }

    private record Single(String key, List<RangeSet> ranges) {
    }

    /** The expression's nodes; the result may hold unfolded nD parts (see {@link NodeSetCore#foldAll()}). */
    public NodeSetCore parse(String expression) {
        String escaped = Pattern.escape(expression.strip());
        NodeSetCore result = new NodeSetCore();
        Set<String> allNodes = null;
        List<NodeSetCore> unions = new ArrayList<>();
        for (Term term : scan(escaped)) {
            NodeSetCore operand;
            if (term.key.startsWith("@")) {
                List<NodeSetCore> members = new ArrayList<>();
                for (String group : term.core()) {
                    members.add(expandGroup(group.substring(1)));
                }
                operand = new NodeSetCore();
                operand.updateAll(members);
            } else if (wildcards && (term.key.indexOf('*') >= 0 || term.key.indexOf('?') >= 0)) {
                if (allNodes == null) {
                    allNodes = allNodes();
                }
                List<NodeSetCore> matches = new ArrayList<>();
                Set<String> candidates = new LinkedHashSet<>(allNodes); // each wildcard term sees every node
                for (String mask : term.core()) {
                    java.util.regex.Pattern glob = glob(mask);
                    for (Iterator<String> it = candidates.iterator(); it.hasNext();) {
                        String node = it.next();
                        if (glob.matcher(node).matches()) {
                            it.remove();
                            Single single = scanSingle(Pattern.escape(node), node);
                            matches.add(new Term(',', single.key, single.ranges, node).core());
                        }
                    }
                }
                operand = new NodeSetCore();
                operand.updateAll(matches);
            } else {
                operand = term.core();
            }
            if (term.op == ',') {
                unions.add(operand); // consecutive unions are applied together, see NodeSetCore.updateAll
                continue;
            }
            if (!unions.isEmpty()) {
                result.updateAll(unions);
                unions.clear();
            }
            switch (term.op) {
                case '!' -> result.differenceUpdate(operand);
                case '&' -> result.intersectionUpdate(operand);
                case '^' -> result.symmetricDifferenceUpdate(operand);
                default -> throw new IllegalStateException("operator " + term.op);
            }
        }
        if (!unions.isEmpty()) {
            result.updateAll(unions);
        }
        return result;
    }

    /**
     * One node name as it is, its runs of digits the indexes and nothing else read (no brackets, operators or
     * groups): ClusterShell's {@code parse_string_single}, for names that came out of a set or a format.
     */
    public NodeSetCore parseSingle(String name) {
        Single single = scanSingle(Pattern.escape(name), name);
        return new Term(',', single.key, single.ranges, name).core();
    }

    private NodeSetCore expandGroup(String name) {
        String expression;
        if (name.equals("*")) {
            expression = String.join(",", groups.allNodes());
        } else {
            Optional<String> found = groups.group(name);
            if (found.isEmpty()) {
                String known = groups.groupNames().isEmpty() ? "no groups are defined"
                        : "known groups: " + String.join(", ", groups.groupNames());
                throw new NodeSetException("nodeset: unknown group '@" + name + "' (" + known + ")", "@" + name);
            }
            expression = found.get();
        }
        if (resolving.contains(name)) {
            List<String> chain = new ArrayList<>(resolving);
            Collections.reverse(chain);
            chain.add(name);
            throw new NodeSetException("nodeset: group cycle @" + String.join(" -> @", chain), "@" + name);
        }
        if (expression.isBlank()) {
            return new NodeSetCore();
        }
        resolving.push(name);
        try {
            return parse(expression);
        } catch (NodeSetException e) {
            if (e.getMessage().contains("(in group ") || e.getMessage().contains("group cycle")) {
                throw e;
            }
            throw new NodeSetException(e.getMessage() + " (in group '@" + name + "')", e.culprit());
        } finally {
            resolving.pop();
        }
    }

    private Set<String> allNodes() {
        Set<String> names = new LinkedHashSet<>();
        wildcards = false;
        try {
            NodeSetCore all = new NodeSetCore();
            for (String expression : groups.allNodes()) {
                all.update(parse(expression));
            }
            all.forEach(names::add);
        } finally {
            wildcards = true;
        }
        return names;
    }

    private static java.util.regex.Pattern glob(String mask) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : mask.toCharArray()) {
            if (c == '*' || c == '?') {
                re.append(java.util.regex.Pattern.quote(literal.toString())).append(c == '*' ? ".*" : ".");
                literal.setLength(0);
            } else {
                literal.append(c);
            }
        }
        re.append(java.util.regex.Pattern.quote(literal.toString()));
        return java.util.regex.Pattern.compile(re.toString(), java.util.regex.Pattern.DOTALL);
    }

    private static NodeSetException syntax(String what, String term, String rule) {
        return new NodeSetException("nodeset: " + what + " '" + term + "': " + rule, term);
    }

    /**
     * Where the term starting at {@code from} ends: the first operator outside a bracket pair, taking pairs as
     * ClusterShell's scanner does (a '[' opens, the next ']' closes). Lets each term be scanned on its own, so long
     * expressions are scanned in linear time.
     */
    private static int termEnd(String s, int from) {
        boolean inside = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inside) {
                inside = c != ']';
            } else if (c == '[') {
                inside = true;
            } else if (c == ',' || c == '!' || c == '&' || c == '^') {
                return i;
            }
        }
        return s.length();
    }

    private List<Term> scan(String expression) {
        List<Term> terms = new ArrayList<>();
        char op = ',';
        int pos = 0;
        while (pos < expression.length()) {
            while (pos < expression.length() && Character.isWhitespace(expression.charAt(pos))) {
                pos++;
            }
            int end = termEnd(expression, pos);
            String s = expression.substring(pos, end);
            if (end < expression.length() && (s.isEmpty() || end + 1 == expression.length())) {
                throw missingOperand(expression.charAt(end), expression);
            }
            terms.add(scanTerm(op, s));
            if (end < expression.length()) {
                op = expression.charAt(end);
            }
            pos = end + 1;
        }
        return terms;
    }

    /** One term, free of top-level operators: ClusterShell's {@code _scan_string} loop body. */
    private Term scanTerm(char op, String s) {
        String text = Pattern.unescape(s.strip());
        List<RangeSet> rsets = new ArrayList<>();
        if (s.indexOf('[') < 0) {
            if (s.indexOf(']') >= 0) {
                throw syntax("unbalanced brackets in", text, "unexpected ']'");
            }
            Single single = scanSingle(s.stripTrailing(), text);
            return new Term(op, single.key, single.ranges, text);
        }
        StringBuilder newpat = new StringBuilder();
        String sfx = s;
        while (sfx.indexOf('[') >= 0) {
            int open = sfx.indexOf('[');
            String pfx = sfx.substring(0, open);
            sfx = sfx.substring(open + 1);
            int close = sfx.indexOf(']');
            if (close < 0) {
                throw syntax("unbalanced brackets in", text, "missing ']'");
            }
            String rng = sfx.substring(0, close);
            sfx = sfx.substring(close + 1);
            if (pfx.indexOf(']') >= 0) {
                throw syntax("unbalanced brackets in", text, "unexpected ']'");
            }
            int braEnd = sfx.indexOf(']');
            int braStart = sfx.indexOf('[');
            if (braEnd >= 0 && (braStart < 0 || braEnd < braStart)) {
                throw syntax("unbalanced brackets in", text, "unexpected ']'");
            }
            if (!sfx.isEmpty()) {
                String[] amended = amendTrailingDigits(sfx, rng, text);
                sfx = amended[0];
                rng = amended[1];
            }
            if (!pfx.isEmpty()) {
                String[] amended = amendLeadingDigits(pfx, rng, text);
                pfx = amended[0];
                rng = amended[1];
                if (!pfx.isEmpty()) {
                    Single single = scanSingle(pfx, text);
                    pfx = single.key;
                    rsets.addAll(single.ranges);
                }
            }
            if (!sfx.isEmpty() && sfx.charAt(0) == '[') {
                throw syntax("bad node set", text, "a range cannot follow another range directly");
            }
            newpat.append(pfx).append("%s");
            rsets.add(range(rng, text));
        }
        sfx = sfx.stripTrailing();
        if (!sfx.isEmpty()) {
            Single single = scanSingle(sfx, text);
            newpat.append(single.key);
            rsets.addAll(single.ranges);
        }
        return new Term(op, newpat.toString(), rsets, text);
    }

    private static NodeSetException missingOperand(char op, String expression) {
        String expr = Pattern.unescape(expression);
        return new NodeSetException("nodeset: missing operand for '" + op + "' in '" + expr + "'", expr);
    }

    private static RangeSet range(String rng, String term) {
        try {
            return RangeSet.parse(rng);
        } catch (RangeSyntaxException e) {
            throw badRange(e, rng, term);
        }
    }

    private static NodeSetException badRange(RangeSyntaxException e, String rng, String term) {
        if (e.part.equals(rng.strip())) {
            return new NodeSetException("nodeset: bad range '" + term + "': " + e.reason, term);
        }
        return new NodeSetException("nodeset: bad range '" + e.part + "' in '" + term + "': " + e.reason, e.part);
    }

    /** A name without brackets: alternating runs of non-digits and digits, each digit run an index. */
    private static Single scanSingle(String name, String term) {
        if (name.isEmpty()) {
            throw new NodeSetException("nodeset: empty node name in '" + term + "'", term);
        }
        StringBuilder key = new StringBuilder();
        List<RangeSet> ranges = new ArrayList<>();
        int i = 0;
        while (i < name.length()) {
            int j = i;
            while (j < name.length() && !isDigit(name.charAt(j))) {
                j++;
            }
            int k = j;
            while (k < name.length() && isDigit(name.charAt(k))) {
                k++;
            }
            key.append(name, i, j);
            if (k > j) {
                key.append("%s");
                ranges.add(RangeSet.singleDigits(name.substring(j, k)));
            }
            i = k;
        }
        return new Single(key.toString(), ranges);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code n1[0-5]}: the digits before the bracket become part of every index. */
    private static String[] amendLeadingDigits(String outer, String inner, String term) {
        int strip = outer.length();
        while (strip > 0 && isDigit(outer.charAt(strip - 1))) {
            strip--;
        }
        if (strip == outer.length()) {
            return new String[] {outer, inner};
        }
        String digits = outer.substring(strip);
        List<String> pieces = new ArrayList<>();
        for (String piece : range(inner, term).pieces()) {
            List<String> bounds = new ArrayList<>();
            for (String bound : piece.split("-", -1)) {
                bounds.add(digits + bound);
            }
            pieces.add(String.join("-", bounds));
        }
        return new String[] {outer.substring(0, strip), String.join(",", pieces)};
    }

    /** {@code n[1-2]0}: the digits after the bracket are appended to every index (n10, n20). */
    private static String[] amendTrailingDigits(String outer, String inner, String term) {
        int strip = 0;
        while (strip < outer.length() && isDigit(outer.charAt(strip))) {
            strip++;
        }
        if (strip == 0) {
            return new String[] {outer, inner};
        }
        if (inner.indexOf('/') >= 0) {
            throw syntax("bad node set", term, "digits cannot follow a range with steps");
        }
        String digits = outer.substring(0, strip);
        List<String> elems = new ArrayList<>();
        for (String elem : inner.split(",", -1)) {
            List<String> bounds = new ArrayList<>();
            for (String bound : elem.split("-", -1)) {
                bounds.add(bound + digits);
            }
            String shifted = String.join("-", bounds);
            elems.add(shifted.indexOf('-') >= 0 ? shifted + "/1" + "0".repeat(digits.length()) : shifted);
        }
        return new String[] {outer.substring(strip), String.join(",", elems)};
    }
}
