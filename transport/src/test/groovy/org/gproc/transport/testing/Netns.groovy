package org.gproc.transport.testing

import java.nio.file.Files
import java.nio.file.Path
import java.security.SecureRandom
import java.util.concurrent.TimeUnit

/**
 * Network namespaces for specs that need real separate hosts on one machine: sites that can reach each other only
 * through a gateway, links with a rate limit. Everything it makes carries one random prefix, uses addresses in
 * 10.77.0.0/16 only, lives inside namespaces it created (nothing is added to the test's own namespace), and is
 * removed by {@link #close} - processes killed, namespaces (and the veth ends inside them) deleted - also when a
 * spec fails, and by a shutdown hook if the JVM exits first.
 *
 * <pre>
 * Netns net = Netns.create()                       // skip first: Netns.unavailable() says why it cannot run
 * String a = net.namespace('a'), gw = net.namespace('gw')
 * net.link(a, '10.77.1.2/24', gw, '10.77.1.1/24', rate: '200mbit')
 * Process p = net.java(gw, 'org.gproc.daemon.Gprocd', [...], dir.resolve('gw.log'))
 * net.run(a, ['ping', '-c1', '10.77.1.1'])
 * net.close()
 * </pre>
 */
class Netns implements Closeable {
    private static final SecureRandom RANDOM = new SecureRandom()

    /** The prefix of every namespace and interface name this instance makes, e.g. {@code gpa3f9c}. */
    final String prefix
    private final List<String> namespaces = []
    private final List<Process> processes = []
    private int links
    private final Thread hook
    private boolean closed

    /** Why namespaces cannot be made here (not root, no {@code ip}, no netns support), or null when they can. */
    static String unavailable() {
        if (!'root'.equals(System.getProperty('user.name')) && uid() != 0) {
            return 'network namespace specs need root (they create namespaces, veth pairs and tc qdiscs)'
        }
        String ip = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find { Files.isExecutable(Path.of(it)) }
        if (ip == null) {
            return "network namespace specs need the 'ip' command (iproute2)"
        }
        String probe = 'gpprobe' + hex(3)
        def add = exec(['ip', 'netns', 'add', probe], 30)
        if (add.exit != 0) {
            return "cannot create a network namespace: ${add.out.trim()}"
        }
        exec(['ip', 'netns', 'del', probe], 30)
        null
    }

    /** Prints why specs that need namespaces are skipped; true when they can run. */
    static boolean usable() {
        String why = unavailable()
        if (why != null) {
            System.err.println("SKIPPED network namespace spec: ${why}")
        }
        why == null
    }

    static Netns create() {
        new Netns('gp' + hex(2))
    }

    private Netns(String prefix) {
        this.prefix = prefix
        this.hook = new Thread({ closeQuietly() }, "netns-cleanup-${prefix}")
        Runtime.runtime.addShutdownHook(hook)
    }

    /** Creates namespace {@code PREFIX-name} with its loopback up; returns its full name. */
    synchronized String namespace(String name) {
        String ns = "${prefix}-${name}"
        must(['ip', 'netns', 'add', ns])
        namespaces << ns
        must(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
        ns
    }

    /**
     * A veth pair between two of our namespaces, with an address (CIDR, inside 10.77.0.0/16) on each end. Options:
     * {@code rate} (e.g. {@code '200mbit'}) puts a tbf qdisc on both ends, so each direction is limited.
     * Returns the two interface names.
     */
    synchronized List<String> link(Map options = [:], String nsA, String cidrA, String nsB, String cidrB) {
        [nsA, nsB].each { if (!(it in namespaces)) throw new IllegalArgumentException("$it is not a namespace of ${prefix}") }
        [cidrA, cidrB].each { checkAddress(it) }
        int n = ++links
        String a = "${prefix}v${n}a", b = "${prefix}v${n}b"
        must(['ip', 'link', 'add', a, 'netns', nsA, 'type', 'veth', 'peer', 'name', b, 'netns', nsB])
        must(['ip', '-n', nsA, 'addr', 'add', cidrA, 'dev', a])
        must(['ip', '-n', nsB, 'addr', 'add', cidrB, 'dev', b])
        must(['ip', '-n', nsA, 'link', 'set', a, 'up'])
        must(['ip', '-n', nsB, 'link', 'set', b, 'up'])
        if (options.rate) {
            [[nsA, a], [nsB, b]].each { ns, dev ->
                must(['ip', 'netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate',
                      options.rate as String, 'burst', (options.burst ?: '256kb') as String, 'latency',
                      (options.latency ?: '50ms') as String])
            }
        }
        [a, b]
    }

    /** Adds a route in {@code ns} to {@code cidr} via {@code gateway} (both inside 10.77.0.0/16). */
    void route(String ns, String cidr, String gateway) {
        checkAddress(cidr)
        checkAddress(gateway)
        must(['ip', '-n', ns, 'route', 'add', cidr, 'via', gateway])
    }

    /** Starts {@code command} inside {@code ns}, output to {@code log}; killed by {@link #close}. */
    synchronized Process spawn(String ns, List<String> command, Path log) {
        Process p = new ProcessBuilder(['ip', 'netns', 'exec', ns] + command*.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start()
        processes << p
        p
    }

    /** A JVM running {@code mainClass} inside {@code ns}, on this JVM's class path unless one is given. */
    Process java(String ns, String mainClass, List<String> args, Path log,
                 String classPath = System.getProperty('java.class.path')) {
        String java = Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
        spawn(ns, [java, '-Xss512k', '-XX:TieredStopAtLevel=1', '-cp', classPath, mainClass] + args*.toString(), log)
    }

    static class Result {
        int exit
        /** stdout and stderr together, or stdout alone from {@link #capture} */
        String out
        /** stdout as bytes (from {@link #capture} only) */
        byte[] bytes
        /** stderr (from {@link #capture} only) */
        String err
        String toString() { "exit ${exit}: ${out}${err ? ' / ' + err : ''}" }
    }

    /** As {@link #run}, with stdout (also as bytes) and stderr kept apart: for binary output such as 9P. */
    Result capture(String ns, List<String> command, long timeoutSeconds = 120, byte[] input = new byte[0]) {
        Process p = new ProcessBuilder(['ip', 'netns', 'exec', ns] + command*.toString()).start()
        def out = new ByteArrayOutputStream()
        def err = new ByteArrayOutputStream()
        Thread to = Thread.start { out << p.inputStream }
        Thread te = Thread.start { err << p.errorStream }
        p.outputStream.withStream { it.write(input) }
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS)
        if (!done) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS)
        }
        to.join(10000)
        te.join(10000)
        new Result(exit: done ? p.exitValue() : -1, out: out.toString('UTF-8'), bytes: out.toByteArray(),
                err: (done ? '' : "timed out after ${timeoutSeconds} s; ") + err.toString('UTF-8'))
    }

    /** Runs {@code command} inside {@code ns} to completion (stdout and stderr together). */
    Result run(String ns, List<String> command, long timeoutSeconds = 120, byte[] input = new byte[0]) {
        exec(['ip', 'netns', 'exec', ns] + command*.toString(), timeoutSeconds, input)
    }

    /**
     * Whether {@code ns} can open a TCP connection to {@code host}:{@code port}: {@code 'open'} (something listens),
     * {@code 'refused'} (the host answered, nothing listens: reachable all the same) or {@code 'unreachable'}
     * (no route, or no answer within {@code seconds}). Uses bash's /dev/tcp, so it needs no ping or nc.
     */
    String probe(String ns, String host, int port, int seconds = 5) {
        checkAddress(host)
        Result r = run(ns, ['timeout', seconds as String, 'bash', '-c', "exec 3<>/dev/tcp/${host}/${port}".toString()],
                seconds + 30)
        r.exit == 0 ? 'open' : r.out.contains('refused') ? 'refused' : 'unreachable'
    }

    private static Result exec(List<String> command, long timeoutSeconds, byte[] input = new byte[0]) {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start()
        def out = new ByteArrayOutputStream()
        Thread reader = Thread.start { out << p.inputStream }
        p.outputStream.withStream { it.write(input) }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS)
            reader.join(10000)
            return new Result(exit: -1, out: "timed out after ${timeoutSeconds} s: ${out.toString('UTF-8')}")
        }
        reader.join(10000)
        new Result(exit: p.exitValue(), out: out.toString('UTF-8'))
    }

    private static void must(List<String> command) {
        Result r = exec(command, 60)
        if (r.exit != 0) {
            throw new IllegalStateException("${command.join(' ')}: ${r}")
        }
    }

    private static void checkAddress(String cidr) {
        if (!(cidr ==~ /10\.77\.\d{1,3}\.\d{1,3}(\/\d{1,2})?/)) {
            throw new IllegalArgumentException("$cidr is outside 10.77.0.0/16, the only range these specs may use")
        }
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes]
        RANDOM.nextBytes(b)
        b.collect { String.format('%02x', it & 0xff) }.join()
    }

    private static int uid() {
        try {
            return Files.getAttribute(Path.of('/proc/self'), 'unix:uid') as int
        } catch (Exception ignored) {
            return -1
        }
    }

    /** Kills every process started here and every process left in our namespaces, then deletes the namespaces. */
    @Override
    synchronized void close() {
        if (closed) {
            return
        }
        closed = true
        try {
            Runtime.runtime.removeShutdownHook(hook)
        } catch (IllegalStateException ignored) {
            // the JVM is already shutting down: the hook is what runs this
        }
        closeQuietly()
    }

    private synchronized void closeQuietly() {
        processes.each { it.destroy() }
        processes.each { if (!it.waitFor(10, TimeUnit.SECONDS)) it.destroyForcibly().waitFor(10, TimeUnit.SECONDS) }
        processes.clear()
        namespaces.reverse().each { ns ->
            Result pids = exec(['ip', 'netns', 'pids', ns], 30)
            pids.out.readLines()*.trim().findAll { it ==~ /\d+/ }.each { exec(['kill', '-9', it], 10) }
            Result del = exec(['ip', 'netns', 'del', ns], 30)
            if (del.exit != 0) {
                System.err.println("netns cleanup: ip netns del ${ns}: ${del}")
            }
        }
        namespaces.clear()
    }

    /** Namespaces of this instance still present (for specs of the fixture itself). */
    List<String> existing() {
        Result r = exec(['ip', 'netns', 'list'], 30)
        r.out.readLines().collect { it.split(/\s+/)[0] }.findAll { it.startsWith(prefix + '-') }
    }
}
