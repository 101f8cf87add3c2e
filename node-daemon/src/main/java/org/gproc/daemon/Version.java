package org.gproc.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The daemon's version, from the jar's Maven metadata ("dev" when running from classes, e.g. in tests). */
final class Version {
    static final String VERSION = read();

    private Version() {
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream(
                "/META-INF/maven/org.gproc/gproc-node-daemon/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "dev");
            }
        } catch (IOException e) {
            // fall through
        }
        return "dev";
    }
}
