package org.gproc.transport.ssh

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** Runs the real OpenSSH tools (ssh-keygen, ssh) for specs; every call has a deadline so a spec never hangs. */
class OpenSsh {

    static class Result {
        int exit
        byte[] out
        String err

        String getText() { new String(out, 'UTF-8') }

        String toString() { "exit=$exit stdout=${text.take(300)} stderr=${err.take(1000)}" }
    }

    /** Makes an unencrypted key pair with ssh-keygen; returns the private key path (FILE.pub next to it). */
    static Path keygen(Path dir, String name, String comment = null, String type = 'ed25519', String passphrase = '') {
        Path key = dir.resolve(name)
        List<String> cmd = ['ssh-keygen', '-q', '-t', type, '-N', passphrase, '-f', key.toString()]
        cmd += ['-C', comment ?: '']
        Result r = run(cmd)
        assert r.exit == 0: "ssh-keygen failed: $r"
        key
    }

    static String fingerprint(Path pubOrPrivate) {
        Result r = run(['ssh-keygen', '-l', '-E', 'sha256', '-f', pubOrPrivate.toString()])
        assert r.exit == 0: "ssh-keygen -l failed: $r"
        r.text.split(/\s+/)[1]
    }

    /** Runs {@code cmd} with {@code input} on stdin (then EOF), waiting at most {@code seconds}. */
    static Result run(List<String> cmd, byte[] input = new byte[0], long seconds = 60) {
        Process p = new ProcessBuilder(cmd).start()
        def out = new ByteArrayOutputStream()
        def err = new ByteArrayOutputStream()
        Thread to = Thread.start { out << p.inputStream }
        Thread te = Thread.start { err << p.errorStream }
        try {
            p.outputStream.write(input)
            p.outputStream.close()
        } catch (IOException ignored) {
            // the process may exit before reading its stdin (e.g. a refused login)
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly()
            p.waitFor(10, TimeUnit.SECONDS)
            to.join(5000); te.join(5000)
            throw new AssertionError("timed out after ${seconds}s: ${cmd.join(' ')}\nstderr: ${err}")
        }
        to.join(10000); te.join(10000)
        new Result(exit: p.exitValue(), out: out.toByteArray(), err: err.toString('UTF-8'))
    }

    /** The ssh client options every spec uses: no user config, no agent, strict host keys, no prompts. */
    static List<String> sshBase(Path key, Path knownHosts, int port) {
        ['ssh', '-F', '/dev/null', '-p', "$port".toString(), '-i', key.toString(),
         '-o', "UserKnownHostsFile=${knownHosts}".toString(), '-o', 'GlobalKnownHostsFile=/dev/null',
         '-o', 'StrictHostKeyChecking=yes', '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
         '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=30']
    }

    static Path knownHostsFor(Path dir, int port, java.security.PublicKey hostKey) {
        Path kh = dir.resolve("known_hosts_${port}")
        Files.writeString(kh, KnownHosts.line('127.0.0.1', port, hostKey) + '\n')
        kh
    }
}
