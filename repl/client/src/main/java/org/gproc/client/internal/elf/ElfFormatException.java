package org.gproc.client.internal.elf;

import java.io.IOException;

/** A file that is not a well-formed ELF object (or ld.so.cache); the message names the file and what is wrong. */
public final class ElfFormatException extends IOException {
    public ElfFormatException(String file, String problem) {
        super(file + ": " + problem);
    }
}
