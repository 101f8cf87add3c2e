import org.gproc.client.Cluster;
import org.gproc.client.ClusterOptions;
import org.gproc.client.Inventory;
import org.gproc.client.RemoteProcess;
import org.gproc.transport.ninep.BlockingNinePClient;
import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ssh.SshConnector;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Client half of scripts/bench/restart.
 *   start KEY KNOWN_HOSTS PORT COUNT GO   COUNT sessions, each printing lines 1..1000, waiting for the file GO, then
 *                                         printing 1001..2000 and exiting 3; returns once every session has printed
 *                                         its first 1000 lines
 *   attach KEY INVENTORY COUNT GO         connects, reattaches every session (prints "reattached N SECONDS" once
 *                                         it follows all), creates GO, waits for every process and checks its lines and
 *                                         exit code; prints "checked N bad B"
 */
public class RestartBench {
    static final String SCRIPT = "sh -c 'seq 1 1000; while [ ! -e %s ]; do sleep 1; done; seq 1001 2000; exit 3'";

    public static void main(String[] args) throws Exception {
        if (args[0].equals("start")) {
            start(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5]);
        } else {
            attach(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Path.of(args[4]));
        }
    }

    static void start(Path key, Path knownHosts, int port, int count, String go) throws Exception {
        try (SshConnector ssh = SshConnector.builder().identity(key).knownHosts(knownHosts).build()) {
            NinePClient client = NinePClient.connect(ssh.open("127.0.0.1", port), 1 << 16, "bench", "")
                    .get(60, TimeUnit.SECONDS);
            BlockingNinePClient c = client.blocking(Duration.ofSeconds(120));
            String[] sessions = new String[count];
            for (int i = 0; i < count; i++) {
                Fid ctl = c.open(c.walk("clone"), Message.ORDWR);
                sessions[i] = new String(c.read(ctl, 0, 32), StandardCharsets.UTF_8).trim();
                c.write(ctl, 0, ("argv " + String.format(SCRIPT, go) + "\nexec /bin/sh\nclose stdin\n")
                        .getBytes(StandardCharsets.UTF_8));
                c.clunk(ctl);
            }
            for (String n : sessions) { // every session has printed its first part before the daemon is killed
                Fid out = c.open(c.walk(n + "/stdout"), Message.OREAD);
                long have = 0;
                while (have < 3893) { // bytes of "1\n".."1000\n"
                    have += c.read(out, have, 8192).length;
                }
                c.clunk(out);
            }
        }
        System.out.println("started " + count);
    }

    static void attach(Path key, Path inventory, int count, Path go) throws Exception {
        long t0 = System.nanoTime();
        try (Cluster cluster = Cluster.connect(Inventory.load(inventory).withIdentity(key), ClusterOptions.defaults())) {
            // each session's own row (ps also lists its children, as "child"), followed as Cluster.reattach() does
            List<RemoteProcess> back = cluster.ps(true).stream()
                    .filter(row -> row.getState().equals("running") || row.getState().equals("exited"))
                    .map(cluster::reattach).toList();
            System.out.printf("reattached %d %.3f%n", back.size(), (System.nanoTime() - t0) / 1e9);
            Files.createFile(go);
            StringBuilder expected = new StringBuilder();
            for (int i = 1; i <= 2000; i++) {
                expected.append(i).append('\n');
            }
            int bad = 0;
            for (RemoteProcess p : back) {
                if (!p.waitFor(Duration.ofSeconds(300)) || p.exitValue() != 3 || !p.getText().contentEquals(expected)) {
                    bad++;
                    System.out.println("session " + p.session() + ": " + p.exitStatus().orElse("running"));
                }
            }
            System.out.println("checked " + back.size() + " of " + count + " bad " + bad);
        }
    }
}
