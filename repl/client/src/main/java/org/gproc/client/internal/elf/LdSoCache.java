package org.gproc.client.internal.elf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * glibc's {@code /etc/ld.so.cache} in the {@code glibc-ld.so.cache1.1} format (written by ldconfig since glibc 2.32,
 * and after the old {@code ld.so-1.7.0} table by older ones): a header (magic, entry count, string table size, byte
 * order flag), then 24-byte entries {@code flags, key, value, osversion, hwcap} whose key (soname) and value (path)
 * are offsets of NUL-terminated strings from the start of the new-format header. Entries keep the file's order,
 * which is ldconfig's order of preference.
 */
public final class LdSoCache {
    static final Path SYSTEM = Path.of("/etc/ld.so.cache");
    private static final byte[] NEW_MAGIC = "glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OLD_MAGIC = "ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII);
    private static final int NEW_HEADER = 48;
    private static final int NEW_ENTRY = 24;
    private static final int OLD_HEADER = 16;
    private static final int OLD_ENTRY = 12;
    private static final LdSoCache EMPTY = new LdSoCache(Map.of());

    private final Map<String, List<String>> paths;

    private LdSoCache(Map<String, List<String>> paths) {
        this.paths = paths;
    }

    public static LdSoCache empty() {
        return EMPTY;
    }

    /** Reads {@code file}; a missing file is an empty cache (the loader then searches its default directories). */
    public static LdSoCache read(Path file) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return EMPTY;
        }
        return parse(file.toString(), data);
    }

    /** Parses the cache file's bytes; {@code file} names it in errors. */
    public static LdSoCache parse(String file, byte[] data) throws ElfFormatException {
        int start = 0;
        if (startsWith(data, 0, OLD_MAGIC)) {
            if (data.length < OLD_HEADER) {
                throw bad(file, "old-format header cut short");
            }
            long oldCount = u32(data, 12, true);
            long end = OLD_HEADER + oldCount * OLD_ENTRY;
            start = (int) Math.min(Integer.MAX_VALUE, (end + 7) & ~7L); // the new header follows, 8-byte aligned
            if (start >= data.length) {
                return EMPTY; // an old-format-only cache: glibc no longer reads its entries, nor do we
            }
        }
        if (!startsWith(data, start, NEW_MAGIC)) {
            throw bad(file, "no glibc-ld.so.cache1.1 header at offset " + start);
        }
        if (data.length - start < NEW_HEADER) {
            throw bad(file, "header cut short (" + (data.length - start) + " bytes, need " + NEW_HEADER + ")");
        }
        int order = data[start + 28] & 0xff;
        boolean little = switch (order) {
            case 0, 2 -> true; // 0: written before the flag existed, in the writer's (little-endian x86) order
            case 3 -> false;
            default -> throw bad(file, "unknown byte order flag " + order);
        };
        long count = u32(data, start + 20, little);
        if (count > (data.length - start - NEW_HEADER) / NEW_ENTRY) {
            throw bad(file, count + " entries do not fit in the file (" + data.length + " bytes)");
        }
        Map<String, List<String>> paths = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int at = start + NEW_HEADER + i * NEW_ENTRY;
            String key = string(file, data, start, u32(data, at + 4, little), "entry " + i + " key");
            String value = string(file, data, start, u32(data, at + 8, little), "entry " + i + " value");
            paths.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        paths.replaceAll((k, v) -> List.copyOf(v));
        return new LdSoCache(Map.copyOf(paths));
    }

    /** The paths the cache lists for {@code soname}, in its order of preference; empty when it lists none. */
    public List<String> lookup(String soname) {
        return paths.getOrDefault(soname, List.of());
    }

    public int size() {
        return paths.values().stream().mapToInt(List::size).sum();
    }

    private static String string(String file, byte[] data, int base, long offset, String what)
            throws ElfFormatException {
        long at = base + offset;
        if (at >= data.length) {
            throw bad(file, what + " string offset " + offset + " lies outside the file (" + data.length + " bytes)");
        }
        for (int i = (int) at; i < data.length; i++) {
            if (data[i] == 0) {
                return new String(data, (int) at, i - (int) at, StandardCharsets.UTF_8);
            }
        }
        throw bad(file, what + " string at offset " + offset + " has no terminating NUL");
    }

    private static boolean startsWith(byte[] data, int at, byte[] magic) {
        if (at < 0 || data.length - at < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (data[at + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static long u32(byte[] d, int at, boolean little) {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (long) (d[at + i] & 0xff) << (little ? 8 * i : 8 * (3 - i));
        }
        return v;
    }

    private static ElfFormatException bad(String file, String problem) {
        return new ElfFormatException(file, "not a valid ld.so.cache: " + problem);
    }
}
