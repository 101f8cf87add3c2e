package org.gproc.client.internal.elf

import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** The ELF reader on files the real C compiler and linker made, and on the same files broken. */
class ElfFileSpec extends Specification {
    @Shared @TempDir Path dir
    @Shared Path library
    @Shared Path program

    def setupSpec() {
        library = Cc.build(dir, 'libanswer.so.1', Cc.LIBRARY,
                ['-shared', '-fPIC', '-Wl,-soname,libanswer.so.1', '-Wl,--disable-new-dtags', '-Wl,-rpath,/opt/x'])
        program = Cc.build(dir, 'prog', Cc.PROGRAM, ['-L' + dir, '-l:libanswer.so.1', '-Wl,-rpath,$ORIGIN/lib'])
    }

    def "a dynamically linked program names its interpreter, its libraries and its run path"() {
        when:
        def elf = ElfFile.read(program)

        then:
        elf.is64()
        elf.littleEndian()
        elf.arch() == 'x86_64'
        elf.interpreter() == '/lib64/ld-linux-x86-64.so.2'
        elf.needed() == ['libanswer.so.1', 'libc.so.6']
        elf.runpath() == '$ORIGIN/lib'
        elf.rpath() == null
        elf.dynamic
    }

    def "a shared library names itself and its old-style rpath"() {
        when:
        def elf = ElfFile.read(library)

        then:
        elf.soname() == 'libanswer.so.1'
        elf.rpath() == '/opt/x'
        elf.runpath() == null
        elf.interpreter() == null
    }

    def "a file cut short fails naming the file and the part that lies outside it"() {
        given:
        byte[] whole = Files.readAllBytes(program)

        when:
        ElfFile.parse('prog-cut', Arrays.copyOf(whole, cut))

        then:
        def e = thrown(ElfFormatException)
        e.message.startsWith('prog-cut: not a valid ELF file: ')
        e.message.contains(problem)

        where:
        cut  | problem
        3    | 'no \\x7fELF magic'
        40   | 'ELF header cut short'
        100  | 'the program header table'
        1000 | 'outside the file'
    }

    def "a string offset past the string table is refused, naming the entry"() {
        given: 'the program with the DT_NEEDED string offsets pointing far past its string table'
        byte[] data = Files.readAllBytes(program)
        def elf = ElfFile.parse('ok', data)
        corruptNeeded(data)

        when:
        ElfFile.parse('prog-bad-strings', data)

        then:
        elf.needed().size() == 2
        def e = thrown(ElfFormatException)
        e.message == 'prog-bad-strings: not a valid ELF file: DT_NEEDED string offset 1048576 is outside the' +
                " string table (${strtabSize(data)} bytes)"
    }

    def "a text file is not an ELF file"() {
        given:
        Path script = dir.resolve('script.sh')
        Files.writeString(script, '#!/bin/sh\necho hi\n')

        expect:
        !ElfFile.isElf(script)
        ElfFile.isElf(program)
    }

    /** Sets every DT_NEEDED value in the 64-bit dynamic section to 1 MiB. */
    private static void corruptNeeded(byte[] data) {
        def dyn = dynamicSection(data)
        for (int at = dyn[0]; at < dyn[0] + dyn[1]; at += 16) {
            long tag = le(data, at, 8)
            if (tag == 0) {
                break
            }
            if (tag == 1) {
                putLe(data, at + 8, 1L << 20)
            }
        }
    }

    private static long strtabSize(byte[] data) {
        def dyn = dynamicSection(data)
        for (int at = dyn[0]; at < dyn[0] + dyn[1]; at += 16) {
            if (le(data, at, 8) == 10) {
                return le(data, at + 8, 8)
            }
        }
        -1
    }

    private static int[] dynamicSection(byte[] data) {
        int phoff = (int) le(data, 32, 8)
        int phnum = (int) le(data, 56, 2)
        for (int i = 0; i < phnum; i++) {
            int at = phoff + i * 56
            if (le(data, at, 4) == 2) {
                return [(int) le(data, at + 8, 8), (int) le(data, at + 32, 8)] as int[]
            }
        }
        throw new AssertionError('no PT_DYNAMIC')
    }

    private static long le(byte[] d, int at, int n) {
        long v = 0
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (d[at + i] & 0xff)
        }
        v
    }

    private static void putLe(byte[] d, int at, long v) {
        for (int i = 0; i < 8; i++) {
            d[at + i] = (byte) (v >>> (8 * i))
        }
    }
}
