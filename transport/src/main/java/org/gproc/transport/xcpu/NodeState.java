package org.gproc.transport.xcpu;

import org.gproc.transport.ninep.NinePException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's {@code state} file: one {@code key values} line each, in this order:
 * <pre>
 * load 0.12 0.10 0.05        (1, 5 and 15 minute load averages, as /proc/loadavg has them)
 * memtotal BYTES
 * memavail BYTES
 * sessions N                 (every session, any state)
 * running N                  (sessions whose process runs)
 * cache BYTES                (the blob cache)
 * uptime SECONDS             (of the daemon)
 * version gprocd VERSION
 * session N cpu USEC memory BYTES|none procs N   (zero or more: each session with a cgroup, from cpu.stat's
 *                                                 usage_usec, memory.current and cgroup.procs)
 * </pre>
 * The load figures are kept as the kernel's text: a node reports them, the client only shows them.
 */
public record NodeState(List<String> load, long memTotal, long memAvail, long sessions, long running,
                        long cacheBytes, long uptimeSeconds, String version, List<SessionUsage> usage) {

    /** One session's cgroup figures; {@code memoryBytes} is -1 without the memory controller. */
    public record SessionUsage(int session, long cpuMicros, long memoryBytes, int processes) {
        public SessionUsage {
            if (session < 0 || cpuMicros < 0 || memoryBytes < -1 || processes < 0) {
                throw new IllegalArgumentException("state: session " + session + " cpu " + cpuMicros + " memory "
                        + memoryBytes + " procs " + processes + " (none of them is negative)");
            }
        }

        String format() {
            return "session " + session + " cpu " + cpuMicros + " memory " + (memoryBytes < 0 ? "none" : memoryBytes)
                    + " procs " + processes + "\n";
        }

        static SessionUsage parse(String values) throws NinePException {
            String[] f = values.split(" ", -1);
            if (f.length != 7 || !f[1].equals("cpu") || !f[3].equals("memory") || !f[5].equals("procs")) {
                throw new NinePException("state: bad line " + Tokens.shown("session " + values)
                        + " (expected 'session N cpu USEC memory BYTES|none procs N')");
            }
            Map<String, String> v = Map.of("session", f[0], "cpu", f[2], "procs", f[6]);
            long memory = f[4].equals("none") ? -1 : number(Map.of("memory", f[4]), "memory");
            return new SessionUsage(Math.toIntExact(number(v, "session")), number(v, "cpu"), memory,
                    Math.toIntExact(number(v, "procs")));
        }
    }

    public NodeState(List<String> load, long memTotal, long memAvail, long sessions, long running, long cacheBytes,
                     long uptimeSeconds, String version) {
        this(load, memTotal, memAvail, sessions, running, cacheBytes, uptimeSeconds, version, List.of());
    }

    private static final List<String> KEYS = List.of("load", "memtotal", "memavail", "sessions", "running", "cache",
            "uptime", "version");

    public NodeState {
        load = List.copyOf(load);
        usage = List.copyOf(usage);
        if (load.size() != 3 || !load.stream().allMatch(NodeState::isDecimal)) {
            throw new IllegalArgumentException("state: load " + load + " (three decimals such as 0.12)");
        }
        if (memTotal < 0 || memAvail < 0 || sessions < 0 || running < 0 || cacheBytes < 0 || uptimeSeconds < 0) {
            throw new IllegalArgumentException("state: a count is negative (memtotal " + memTotal + ", memavail "
                    + memAvail + ", sessions " + sessions + ", running " + running + ", cache " + cacheBytes
                    + ", uptime " + uptimeSeconds + ")");
        }
        if (version == null || version.isEmpty() || version.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("state: version " + Tokens.shown(version)
                    + " (one word without blanks or control characters)");
        }
    }

    public String format() {
        return "load " + String.join(" ", load) + "\n"
                + "memtotal " + memTotal + "\n"
                + "memavail " + memAvail + "\n"
                + "sessions " + sessions + "\n"
                + "running " + running + "\n"
                + "cache " + cacheBytes + "\n"
                + "uptime " + uptimeSeconds + "\n"
                + "version gprocd " + version + "\n"
                + String.join("", usage.stream().map(SessionUsage::format).toList());
    }

    @Override
    public String toString() {
        return format();
    }

    public static NodeState parse(String text) throws NinePException {
        Map<String, String> values = new LinkedHashMap<>();
        List<SessionUsage> usage = new ArrayList<>();
        for (String line : String.valueOf(text).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("session ")) {
                usage.add(SessionUsage.parse(line.substring("session ".length())));
                continue;
            }
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            if (!KEYS.contains(key)) {
                throw new NinePException("state: unknown line " + Tokens.shown(line) + " (keys: "
                        + String.join(", ", KEYS) + ")");
            }
            if (values.put(key, space < 0 ? "" : line.substring(space + 1)) != null) {
                throw new NinePException("state: '" + key + "' twice (each key is one line)");
            }
        }
        if (!values.keySet().equals(new HashSet<>(KEYS))) {
            List<String> missing = KEYS.stream().filter(k -> !values.containsKey(k)).toList();
            throw new NinePException("state: missing " + String.join(", ", missing) + " (every key is one line)");
        }
        String version = values.get("version");
        if (!version.startsWith("gprocd ")) {
            throw new NinePException("state: version " + Tokens.shown(version) + " (expected 'gprocd VERSION')");
        }
        try {
            return new NodeState(List.of(values.get("load").split(" ", -1)), number(values, "memtotal"),
                    number(values, "memavail"), number(values, "sessions"), number(values, "running"),
                    number(values, "cache"), number(values, "uptime"), version.substring("gprocd ".length()), usage);
        } catch (IllegalArgumentException e) {
            throw new NinePException(e.getMessage());
        }
    }

    private static long number(Map<String, String> values, String key) throws NinePException {
        String v = values.get(key);
        if (v.isEmpty() || v.length() > 19 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NinePException("state: " + key + " " + Tokens.shown(v) + " (a whole number)");
        }
        return Long.parseLong(v);
    }

    private static boolean isDecimal(String s) {
        return s != null && s.matches("[0-9]{1,10}(\\.[0-9]{1,6})?");
    }
}
