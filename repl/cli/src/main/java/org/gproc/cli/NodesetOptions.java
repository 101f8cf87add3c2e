package org.gproc.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The command line of ClusterShell's {@code nodeset}, read as its optparse parser reads it: options until the first
 * argument that is not one (or {@code --}), short options clustered ({@code -ll}, {@code -S,}), long options by any
 * unambiguous prefix ({@code --cont}), values attached ({@code --split=2}) or in the next argument; everything from
 * the first node set on is left to the command, which reads {@code -i -x -X} and {@code -} there itself.
 */
final class NodesetOptions {
    /** A usage error: ClusterShell prints its usage line and the message and exits 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    static final String USAGE = "Usage: nodeset [COMMAND] [OPTIONS] [ns1 [-ixX] ns2|...]";

    boolean count;
    boolean expand;
    boolean fold;
    int list;
    int listAll;
    boolean regroup;
    boolean listSources;
    boolean all;
    boolean rangeset;
    boolean quiet;
    boolean debug;
    boolean groupBase;
    boolean contiguous;
    boolean help;
    boolean version;
    /** gproc's own: results as JSON. */
    boolean json;
    String separator = " ";
    String format = "%s";
    String slice;
    Integer split;
    String axis;
    /** null (off), an Integer node count, a Double fraction or the string {@code auto}. */
    Object autostep;
    String groupSource;
    String groupsConf;
    Integer pick;
    final List<String> intersection = new ArrayList<>();
    final List<String> exclude = new ArrayList<>();
    final List<String> xor = new ArrayList<>();
    final List<String> args = new ArrayList<>();

    private enum Kind { FLAG, COUNT, VALUE }

    private record Opt(String dest, Kind kind) {
    }

    private static final Map<String, Opt> LONG = new TreeMap<>();
    private static final Map<Character, String> SHORT = new TreeMap<>();

    private static void option(String shortName, String longName, String dest, Kind kind) {
        Opt opt = new Opt(dest, kind);
        if (shortName != null) {
            SHORT.put(shortName.charAt(1), longName != null ? longName : shortName);
            if (longName == null) {
                LONG.put(shortName, opt);
            }
        }
        if (longName != null) {
            LONG.put(longName, opt);
        }
    }

    static {
        option("-h", "--help", "help", Kind.FLAG);
        option(null, "--version", "version", Kind.FLAG);
        option(null, "--json", "json", Kind.FLAG);
        option(null, "--groupsconf", "groupsconf", Kind.VALUE);
        option("-c", "--count", "count", Kind.FLAG);
        option("-e", "--expand", "expand", Kind.FLAG);
        option("-f", "--fold", "fold", Kind.FLAG);
        option("-l", "--list", "list", Kind.COUNT);
        option("-L", "--list-all", "listall", Kind.COUNT);
        option("-r", "--regroup", "regroup", Kind.FLAG);
        option(null, "--list-sources", "groupsources", Kind.FLAG);
        option(null, "--groupsources", "groupsources", Kind.FLAG);
        option("-x", "--exclude", "exclude", Kind.VALUE);
        option("-i", "--intersection", "intersection", Kind.VALUE);
        option("-X", "--xor", "xor", Kind.VALUE);
        option("-a", "--all", "all", Kind.FLAG);
        option(null, "--autostep", "autostep", Kind.VALUE);
        option("-d", "--debug", "debug", Kind.FLAG);
        option("-q", "--quiet", "quiet", Kind.FLAG);
        option("-R", "--rangeset", "rangeset", Kind.FLAG);
        option("-G", "--groupbase", "groupbase", Kind.FLAG);
        option("-S", "--separator", "separator", Kind.VALUE);
        option("-O", "--output-format", "format", Kind.VALUE);
        option("-I", "--slice", "slice", Kind.VALUE);
        option(null, "--split", "split", Kind.VALUE);
        option(null, "--contiguous", "contiguous", Kind.FLAG);
        option(null, "--axis", "axis", Kind.VALUE);
        option(null, "--pick", "pick", Kind.VALUE);
        option("-s", "--groupsource", "groupsource", Kind.VALUE);
    }

    static NodesetOptions parse(List<String> argv) {
        NodesetOptions o = new NodesetOptions();
        int i = 0;
        while (i < argv.size()) {
            String arg = argv.get(i);
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg : arg.substring(0, eq);
                String full = matchLong(name);
                Opt opt = LONG.get(full);
                String value = null;
                if (opt.kind == Kind.VALUE) {
                    if (eq >= 0) {
                        value = arg.substring(eq + 1);
                    } else if (i + 1 < argv.size()) {
                        value = argv.get(++i);
                    } else {
                        throw new UsageException(full + " option requires 1 argument");
                    }
                } else if (eq >= 0) {
                    throw new UsageException(full + " option does not take a value");
                }
                o.set(full, opt, value);
                if (o.help) {
                    return o;
                }
                i++;
            } else if (arg.startsWith("-") && arg.length() > 1) {
                for (int k = 1; k < arg.length(); k++) {
                    char c = arg.charAt(k);
                    String full = SHORT.get(c);
                    if (full == null) {
                        throw new UsageException("no such option: -" + c);
                    }
                    Opt opt = LONG.get(full);
                    if (opt.kind == Kind.VALUE) {
                        String value;
                        if (k + 1 < arg.length()) {
                            value = arg.substring(k + 1);
                        } else if (i + 1 < argv.size()) {
                            value = argv.get(++i);
                        } else {
                            throw new UsageException("-" + c + " option requires 1 argument");
                        }
                        o.set("-" + c, opt, value);
                        break;
                    }
                    o.set("-" + c, opt, null);
                    if (o.help) {
                        return o;
                    }
                }
                i++;
            } else {
                break;
            }
        }
        o.args.addAll(argv.subList(i, argv.size()));
        return o;
    }

    private static String matchLong(String name) {
        if (LONG.containsKey(name) && name.startsWith("--")) {
            return name;
        }
        List<String> candidates = new ArrayList<>();
        for (String known : LONG.keySet()) {
            if (known.startsWith("--") && known.startsWith(name)) {
                candidates.add(known);
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw new UsageException("no such option: " + name);
        }
        throw new UsageException("ambiguous option: " + name + " (" + String.join(", ", candidates) + "?)");
    }

    private void set(String given, Opt opt, String value) {
        switch (opt.dest) {
            case "help" -> help = true;
            case "version" -> version = true;
            case "json" -> json = true;
            case "groupsconf" -> groupsConf = value;
            case "count" -> count = true;
            case "expand" -> expand = true;
            case "fold" -> fold = true;
            case "list" -> list++;
            case "listall" -> listAll++;
            case "regroup" -> regroup = true;
            case "groupsources" -> listSources = true;
            case "exclude" -> exclude.add(value);
            case "intersection" -> intersection.add(value);
            case "xor" -> xor.add(value);
            case "all" -> all = true;
            case "autostep" -> autostep = autostep(given, value);
            case "debug" -> debug = true;
            case "quiet" -> quiet = true;
            case "rangeset" -> rangeset = true;
            case "groupbase" -> groupBase = true;
            case "separator" -> separator = value;
            case "format" -> format = value;
            case "slice" -> slice = value;
            case "split" -> split = integer(given, value);
            case "contiguous" -> contiguous = true;
            case "axis" -> axis = value;
            case "pick" -> pick = integer(given, value);
            case "groupsource" -> groupSource = value;
            default -> throw new IllegalStateException(opt.dest);
        }
    }

    /** optparse's int type: Python's int() of the text, base 10 (or 0x/0o/0b prefixed). */
    private static Integer integer(String option, String value) {
        String v = value.strip().replace("_", "");
        try {
            int sign = 1;
            if (v.startsWith("-") || v.startsWith("+")) {
                sign = v.startsWith("-") ? -1 : 1;
                v = v.substring(1);
            }
            int radix = 10;
            String lower = v.toLowerCase();
            if (lower.startsWith("0x")) {
                radix = 16;
                v = v.substring(2);
            } else if (lower.startsWith("0o")) {
                radix = 8;
                v = v.substring(2);
            } else if (lower.startsWith("0b")) {
                radix = 2;
                v = v.substring(2);
            }
            if (v.isEmpty() || v.startsWith("-") || v.startsWith("+")) {
                throw new NumberFormatException();
            }
            return sign * Integer.parseInt(v, radix);
        } catch (NumberFormatException e) {
            throw new UsageException("option " + option + ": invalid integer value: " + pyRepr(value));
        }
    }

    /** ClusterShell's autostep type: a node count, a percentage or {@code auto}. */
    private static Object autostep(String option, String value) {
        try {
            if (value.contains("%")) {
                return Double.parseDouble(value.substring(0, value.length() - 1)) / 100.0;
            }
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            if (value.equals("auto")) {
                return value;
            }
            throw new UsageException("option " + option + ": invalid value: " + pyRepr(value)
                    + ", should be node count, node percentage or 'auto'");
        }
    }

    /** Python's repr() of a string, as optparse quotes a bad value. */
    static String pyRepr(String s) {
        char quote = s.contains("'") && !s.contains("\"") ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        for (char c : s.toCharArray()) {
            if (c == quote || c == '\\') {
                out.append('\\').append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append(quote).toString();
    }
}
