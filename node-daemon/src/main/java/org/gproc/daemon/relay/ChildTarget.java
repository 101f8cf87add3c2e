package org.gproc.daemon.relay;

import org.gproc.transport.ninep.NinePException;
import org.gproc.transport.ssh.KnownHosts;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One {@code child NAME HOST PORT KEYSPEC} line, checked: where the relay connects and what host key (or host
 * certificate CA) the child must prove. {@link #knownHostsLine()} is the line the relay's own known_hosts gets, so
 * the check is the same one the client makes on a direct connection.
 */
record ChildTarget(String name, String host, int port, boolean certAuthority, String keyType, String keyBase64) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,252}");

    /** Parses the arguments after the verb; errors name the culprit and the rule. */
    static ChildTarget parse(List<String> args) throws NinePException {
        if (args.size() < 5 || args.size() > 6) {
            throw new NinePException("/n/ctl: usage: " + RelayVerb.CHILD.usage());
        }
        String name = args.get(0);
        if (!NAME.matcher(name).matches() || name.equals("ctl") || name.equals("events")) {
            throw new NinePException("/n/ctl: child name '" + name + "' is not allowed (letters, digits and . _ -,"
                    + " starting with a letter or digit, at most 64; not 'ctl' nor 'events')");
        }
        String host = args.get(1);
        if (!HOST.matcher(host).matches()) {
            throw new NinePException("/n/ctl: child " + name + ": host '" + host + "' is not a host name or address");
        }
        int port;
        try {
            port = Integer.parseInt(args.get(2));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new NinePException("/n/ctl: child " + name + ": port '" + args.get(2) + "' is not 1..65535");
        }
        boolean ca = args.get(3).equals("@cert-authority");
        if (args.size() != (ca ? 6 : 5)) {
            throw new NinePException("/n/ctl: child " + name + ": KEYSPEC is 'ssh-ed25519 AAAA...' or"
                    + " '@cert-authority ssh-ed25519 AAAA...', not '" + String.join(" ", args.subList(3, args.size()))
                    + "'");
        }
        ChildTarget t = new ChildTarget(name, host, port, ca, args.get(ca ? 4 : 3), args.get(ca ? 5 : 4));
        KnownHosts parsed = KnownHosts.parse(Path.of("/n/ctl"), List.of(t.knownHostsLine()));
        if (!parsed.problems().isEmpty() || parsed.entries().isEmpty()) {
            String why = parsed.problems().isEmpty() ? "unreadable" : parsed.problems().get(0)
                    .replaceFirst("^known_hosts /n/ctl line 1: ", "").replaceFirst("; line ignored$", "");
            throw new NinePException("/n/ctl: child " + name + ": KEYSPEC is not a usable key: " + why);
        }
        if (!t.keyType.equals("ssh-ed25519")) {
            throw new NinePException("/n/ctl: child " + name + ": KEYSPEC key type '" + t.keyType
                    + "' is not accepted (gproc nodes use ssh-ed25519)");
        }
        return t;
    }

    String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    String knownHostsLine() {
        return (certAuthority ? "@cert-authority " : "") + KnownHosts.hostToken(host, port) + " " + keyType + " "
                + keyBase64;
    }

    /** Same place, same key: a repeated line is a no-op. */
    boolean sameAs(ChildTarget other) {
        return host.equals(other.host) && port == other.port && certAuthority == other.certAuthority
                && keyBase64.equals(other.keyBase64);
    }

    String keySpec() {
        return (certAuthority ? "@cert-authority " : "") + keyType + " " + keyBase64;
    }
}
