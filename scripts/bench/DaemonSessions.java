import org.gproc.transport.ninep.BlockingNinePClient;
import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ssh.SshConnector;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Client half of scripts/bench/daemon-sessions: starts COUNT sessions running `sleep SECONDS` on a gprocd, over one
 * SSH connection per node, spread over the nodes of a multi-instance daemon, and prints when they all run.
 * Usage: java -cp CP DaemonSessions.java KEY KNOWN_HOSTS FIRST_PORT NODES COUNT SECONDS
 */
public class DaemonSessions {
    public static void main(String[] args) throws Exception {
        Path key = Path.of(args[0]);
        Path knownHosts = Path.of(args[1]);
        int firstPort = Integer.parseInt(args[2]);
        int nodes = Integer.parseInt(args[3]);
        int count = Integer.parseInt(args[4]);
        String seconds = args[5];
        try (SshConnector ssh = SshConnector.builder().identity(key).knownHosts(knownHosts).build()) {
            List<BlockingNinePClient> clients = new ArrayList<>();
            for (int n = 0; n < nodes; n++) {
                NinePClient c = NinePClient.connect(ssh.open("127.0.0.1", firstPort + n), 1 << 16, "bench", "")
                        .get(60, TimeUnit.SECONDS);
                clients.add(c.blocking(Duration.ofSeconds(120)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Callable<Void>> starts = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                BlockingNinePClient c = clients.get(i % nodes);
                starts.add(() -> {
                    Fid ctl = c.open(c.walk("clone"), Message.ORDWR);
                    String n = new String(c.read(ctl, 0, 16), StandardCharsets.UTF_8).trim();
                    Fid argv = c.open(c.walk(n + "/argv"), Message.OWRITE);
                    c.write(argv, 0, ("sleep " + seconds).getBytes(StandardCharsets.UTF_8));
                    c.clunk(argv);
                    c.write(ctl, 0, "exec /bin/sleep\nclose stdin\n".getBytes(StandardCharsets.UTF_8));
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(starts)) {
                f.get();
            }
            pool.shutdown();
            System.out.printf("started %d sleep sessions on %d node(s) in %.1f s%n", count, nodes,
                    (System.nanoTime() - t0) / 1e9);
            System.out.flush();
            // keep the connections (and their ctl fids) while the caller measures
            Thread.sleep(Long.parseLong(seconds) * 1000L);
        }
    }
}
