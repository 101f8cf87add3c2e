package org.gproc.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * gproc's version, one for the command line, the library and the daemon (they are built together), from the client
 * jar's Maven metadata; "dev" when running from a build's classes, as in tests.
 */
public final class Version {
    /** The version string, e.g. {@code 0.1.0}. */
    public static final String VERSION = read();

    private Version() {
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream(
                "/META-INF/maven/org.gproc/gproc-client/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "dev");
            }
        } catch (IOException e) {
            // no metadata to read: a build's classes
        }
        return "dev";
    }
}
