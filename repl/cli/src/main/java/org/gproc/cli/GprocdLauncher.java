package org.gproc.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the {@code gprocd} launcher that belongs with this {@code gproc}: {@code $GPROCD} when set, else the one
 * installed beside it - {@code bin/gprocd} next to {@code bin/gproc} in a distribution, {@code scripts/gprocd} in a
 * source checkout - found from where this class was loaded ({@code lib/} or {@code repl/cli/target/}).
 */
final class GprocdLauncher {
    static final String ENV = "GPROCD";

    private GprocdLauncher() {
    }

    static Path find(Map<String, String> env) {
        String override = env.get(ENV);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override.strip());
            if (!Files.isExecutable(p)) {
                throw new IllegalArgumentException(ENV + "='" + override + "' is not an executable file");
            }
            return p.toAbsolutePath();
        }
        List<Path> tried = new ArrayList<>();
        for (Path dir = codeLocation(); dir != null; dir = dir.getParent()) {
            for (Path candidate : List.of(dir.resolve("bin").resolve("gprocd"), dir.resolve("scripts").resolve("gprocd"))) {
                tried.add(candidate);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
            if (tried.size() >= 10) {
                break;
            }
        }
        throw new IllegalArgumentException("cannot find the gprocd launcher beside this gproc (looked for "
                + tried.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("nothing")
                + "); set " + ENV + "=/path/to/gprocd");
    }

    private static Path codeLocation() {
        try {
            Path p = Path.of(GprocdLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return p.toAbsolutePath().getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
