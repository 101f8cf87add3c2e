package org.gproc.client.internal.elf

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** Compiles small C programs and libraries with the machine's real C compiler, for specs that need real ELF files. */
class Cc {
    /** Runs {@code cc ARGS} in {@code dir} with {@code source} as {@code NAME.c}; fails the spec with cc's output. */
    static Path build(Path dir, String name, String source, List<String> args) {
        Path c = dir.resolve(name.replaceAll(/[^A-Za-z0-9_]/, '_') + '.c')
        Files.writeString(c, source)
        Path out = dir.resolve(name)
        def command = [System.getenv('GPROC_CC') ?: 'cc', '-o', out.toString(), c.toString()] + args
        def p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start()
        String output = p.inputStream.text
        assert p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0: "cc failed: ${command.join(' ')}\n$output"
        out
    }

    static final String LIBRARY = 'int gproc_answer(void) { return 42; }\n'
    static final String PROGRAM = '''#include <stdio.h>
int gproc_answer(void);
int main(int argc, char **argv) { printf("answer %d argv0 %s\\n", gproc_answer(), argv[0]); return 0; }
'''
}
