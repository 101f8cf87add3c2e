import org.gproc.transport.ninep.BlockingNinePClient;
import org.gproc.transport.ninep.Fid;
import org.gproc.transport.ninep.Message;
import org.gproc.transport.ninep.NinePClient;
import org.gproc.transport.ssh.SshConnector;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Client half of scripts/bench/session-churn: COUNT sessions, one after another, spread evenly over SECONDS; each runs
 * a shell that forks, double-forks and setsid-escapes, reads its wait, then wipes it. Prints "done N" and the sessions
 * whose wait was not "exit 0".
 * Usage: java -cp CP SessionChurn.java KEY KNOWN_HOSTS PORT COUNT SECONDS
 */
public class SessionChurn {
    static final String SCRIPT = "sh -c '(sleep 0.3 &) ; (setsid sleep 0.3 &) ; sleep 0.2 & echo churn; wait'";

    public static void main(String[] args) throws Exception {
        Path key = Path.of(args[0]);
        Path knownHosts = Path.of(args[1]);
        int port = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        long seconds = Long.parseLong(args[4]);
        int bad = 0;
        try (SshConnector ssh = SshConnector.builder().identity(key).knownHosts(knownHosts).build()) {
            NinePClient client = NinePClient.connect(ssh.open("127.0.0.1", port), 1 << 16, "bench", "")
                    .get(60, TimeUnit.SECONDS);
            BlockingNinePClient c = client.blocking(Duration.ofSeconds(120));
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long due = start + TimeUnit.SECONDS.toNanos(seconds) * i / count;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                Fid ctl = c.open(c.walk("clone"), Message.ORDWR);
                String n = new String(c.read(ctl, 0, 32), StandardCharsets.UTF_8).trim();
                c.write(ctl, 0, ("argv " + SCRIPT + "\nexec /bin/sh\n").getBytes(StandardCharsets.UTF_8));
                Fid waitFid = c.open(c.walk(n + "/wait"), Message.OREAD);
                String status = new String(c.read(waitFid, 0, 256), StandardCharsets.UTF_8).trim();
                c.clunk(waitFid);
                if (!status.equals("exit 0")) {
                    bad++;
                    System.out.println("session " + n + ": " + status);
                }
                c.write(ctl, 0, "wipe\n".getBytes(StandardCharsets.UTF_8));
                c.clunk(ctl);
            }
            client.close();
        }
        System.out.println("done " + count + " bad " + bad);
    }
}
