package org.gproc.daemon.relay;

import java.io.IOException;
import java.nio.file.Path;

/** Reads {@code --relay-for}: an inventory in the client's format. */
final class RelayTargetsFile {

    private RelayTargetsFile() {
    }

    static RelayTargets read(Path file) throws IOException {
        throw new IOException("--relay-for " + file + ": reading inventories needs the client's inventory reader");
    }
}
