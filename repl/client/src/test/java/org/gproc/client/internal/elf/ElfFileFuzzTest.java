package org.gproc.client.internal.elf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * ELF files and ld.so caches as a hostile control-node file presents them (a binary someone handed you, a
 * truncated download). The contract: only {@link ElfFormatException} escapes, its message names the file and spans
 * one line, and what is accepted is consistent (no empty library names, strings without NUL).
 */
class ElfFileFuzzTest {

    @FuzzTest(maxDuration = "3m")
    void parse(byte[] data) {
        ElfFile elf;
        try {
            elf = ElfFile.parse("fuzz.elf", data);
        } catch (ElfFormatException refused) {
            checkMessage(refused);
            return;
        }
        assertNotNull(elf.arch());
        for (String name : elf.needed()) {
            assertFalse(name.isEmpty());
            assertTrue(name.indexOf('\0') < 0);
        }
        if (elf.interpreter() != null) {
            assertFalse(elf.interpreter().isEmpty());
        }
        assertTrue(elf.isDynamic() || elf.needed().isEmpty());
    }

    @FuzzTest(maxDuration = "3m")
    void ldSoCache(byte[] data) {
        LdSoCache cache;
        try {
            cache = LdSoCache.parse("fuzz.cache", data);
        } catch (ElfFormatException refused) {
            checkMessage(refused);
            return;
        }
        assertTrue(cache.size() >= 0);
        assertNotNull(cache.lookup("libc.so.6"));
    }

    private static void checkMessage(ElfFormatException refused) {
        String message = refused.getMessage();
        assertTrue(message.startsWith("fuzz."), message);
        assertTrue(message.indexOf('\n') < 0, () -> "message spans lines: " + message);
    }
}
