package org.gproc.client.internal.elf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a push needs from an ELF file: its class (32 or 64 bit), byte order and machine, the program interpreter
 * ({@code PT_INTERP}), and from the dynamic section ({@code PT_DYNAMIC}) the libraries it needs ({@code DT_NEEDED}),
 * its search paths ({@code DT_RUNPATH}, {@code DT_RPATH}) and its own name ({@code DT_SONAME}). Section headers are
 * never read: the loader does not read them either. Every offset, size and count in the file is checked against the
 * file before it is used, so a truncated or hostile file fails with an {@link ElfFormatException} naming it.
 */
public record ElfFile(String file, boolean is64, boolean littleEndian, int machine, String interpreter,
                      List<String> needed, String runpath, String rpath, String soname) {
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;
    private static final long DT_STRSZ = 10;
    private static final long DT_SONAME = 14;
    private static final long DT_RPATH = 15;
    private static final long DT_RUNPATH = 29;
    /** More program headers than any real object has; a count beyond it is refused rather than walked. */
    private static final int MAX_PROGRAM_HEADERS = 4096;
    private static final int MAX_NEEDED = 4096;

    public ElfFile {
        needed = List.copyOf(needed);
    }

    /** True when {@code file} starts with the ELF magic (reads four bytes). */
    public static boolean isElf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return hasMagic(magic);
        } catch (IOException e) {
            return false;
        }
    }

    static boolean hasMagic(byte[] data) {
        return data.length >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
    }

    /** Reads and parses {@code file}. */
    public static ElfFile read(Path file) throws IOException {
        return parse(file.toString(), Files.readAllBytes(file));
    }

    /** Parses {@code data}, the whole content of the file named {@code file} (used in errors only). */
    public static ElfFile parse(String file, byte[] data) throws ElfFormatException {
        return new Reader(file, data).parse();
    }

    /** The machine as {@code uname -m} names it (see {@link ElfMachine}). */
    public String arch() {
        return ElfMachine.archOf(machine, is64, littleEndian);
    }

    /** True when the file is dynamically linked (it names a program interpreter or needs a library). */
    public boolean isDynamic() {
        return interpreter != null || !needed.isEmpty();
    }

    /** True when an object of {@code other}'s kind can be loaded into a process of this one (class and machine). */
    public boolean compatibleWith(ElfFile other) {
        return is64 == other.is64 && littleEndian == other.littleEndian && machine == other.machine;
    }

    /** Bounds-checked little- or big-endian reads over the file's bytes; every failure names the file. */
    private static final class Reader {
        private final String file;
        private final byte[] data;
        private boolean is64;
        private boolean little;

        Reader(String file, byte[] data) {
            this.file = file;
            this.data = data;
        }

        ElfFile parse() throws ElfFormatException {
            if (!hasMagic(data)) {
                throw bad("not an ELF file (no \\x7fELF magic at the start)");
            }
            if (data.length < 52) {
                throw bad("ELF header cut short (" + data.length + " bytes)");
            }
            is64 = switch (data[4]) {
                case 1 -> false;
                case 2 -> true;
                default -> throw bad("unknown ELF class " + (data[4] & 0xff) + " (1 = 32-bit, 2 = 64-bit)");
            };
            little = switch (data[5]) {
                case 1 -> true;
                case 2 -> false;
                default -> throw bad("unknown ELF byte order " + (data[5] & 0xff) + " (1 = little, 2 = big endian)");
            };
            if (is64 && data.length < 64) {
                throw bad("64-bit ELF header cut short (" + data.length + " bytes)");
            }
            int machine = u16(18);
            long phoff = is64 ? u64(32, "e_phoff") : u32(28);
            int phentsize = u16(is64 ? 54 : 42);
            int phnum = u16(is64 ? 56 : 44);
            int minEntry = is64 ? 56 : 32;
            if (phnum > 0 && phentsize < minEntry) {
                throw bad("program header entries of " + phentsize + " bytes (at least " + minEntry + ")");
            }
            if (phnum > MAX_PROGRAM_HEADERS) {
                throw bad(phnum + " program headers (more than " + MAX_PROGRAM_HEADERS + ")");
            }
            within(phoff, (long) phnum * phentsize, "the program header table");
            List<long[]> loads = new ArrayList<>();
            String interpreter = null;
            long dynOffset = -1;
            long dynSize = 0;
            for (int i = 0; i < phnum; i++) {
                int at = (int) (phoff + (long) i * phentsize);
                long type = u32(at);
                long offset = is64 ? u64(at + 8, "p_offset") : u32(at + 4);
                long vaddr = is64 ? u64(at + 16, "p_vaddr") : u32(at + 8);
                long filesz = is64 ? u64(at + 32, "p_filesz") : u32(at + 16);
                if (type == PT_LOAD) {
                    loads.add(new long[] {vaddr, offset, filesz});
                } else if (type == PT_INTERP) {
                    within(offset, filesz, "PT_INTERP (program header " + i + ")");
                    interpreter = cString((int) offset, (int) (offset + filesz), "PT_INTERP");
                    if (interpreter.isEmpty()) {
                        throw bad("PT_INTERP names no interpreter");
                    }
                } else if (type == PT_DYNAMIC) {
                    within(offset, filesz, "PT_DYNAMIC (program header " + i + ")");
                    dynOffset = offset;
                    dynSize = filesz;
                }
            }
            if (dynOffset < 0) {
                return new ElfFile(file, is64, little, machine, interpreter, List.of(), null, null, null);
            }
            return dynamic(machine, interpreter, loads, (int) dynOffset, (int) dynSize);
        }

        private ElfFile dynamic(int machine, String interpreter, List<long[]> loads, int dynOffset, int dynSize)
                throws ElfFormatException {
            int entry = is64 ? 16 : 8;
            List<Long> neededOffsets = new ArrayList<>();
            long strtab = -1;
            long strsz = -1;
            long soname = -1;
            long rpath = -1;
            long runpath = -1;
            for (int at = dynOffset; at + entry <= dynOffset + dynSize; at += entry) {
                long tag = is64 ? s64(at) : (int) u32(at);
                long value = is64 ? s64(at + 8) : u32(at + 4);
                if (tag == DT_NULL) {
                    break;
                }
                if (tag == DT_NEEDED) {
                    if (neededOffsets.size() >= MAX_NEEDED) {
                        throw bad("more than " + MAX_NEEDED + " DT_NEEDED entries");
                    }
                    neededOffsets.add(value);
                } else if (tag == DT_STRTAB) {
                    strtab = value;
                } else if (tag == DT_STRSZ) {
                    strsz = value;
                } else if (tag == DT_SONAME) {
                    soname = value;
                } else if (tag == DT_RPATH) {
                    rpath = value;
                } else if (tag == DT_RUNPATH) {
                    runpath = value;
                }
            }
            boolean namesStrings = !neededOffsets.isEmpty() || soname >= 0 || rpath >= 0 || runpath >= 0;
            if (!namesStrings) {
                return new ElfFile(file, is64, little, machine, interpreter, List.of(), null, null, null);
            }
            if (strtab == -1 || strsz == -1) {
                throw bad("the dynamic section names strings but has no " + (strtab == -1 ? "DT_STRTAB" : "DT_STRSZ"));
            }
            long start = fileOffset(strtab, loads);
            within(start, strsz, "the dynamic string table (DT_STRTAB, DT_STRSZ " + Long.toUnsignedString(strsz) + ")");
            int from = (int) start;
            int to = (int) (start + strsz);
            List<String> needed = new ArrayList<>(neededOffsets.size());
            for (long offset : neededOffsets) {
                String name = string(from, to, offset, "DT_NEEDED");
                if (name.isEmpty()) {
                    throw bad("a DT_NEEDED entry names no library");
                }
                needed.add(name);
            }
            return new ElfFile(file, is64, little, machine, interpreter, needed,
                    runpath < 0 ? null : string(from, to, runpath, "DT_RUNPATH"),
                    rpath < 0 ? null : string(from, to, rpath, "DT_RPATH"),
                    soname < 0 ? null : string(from, to, soname, "DT_SONAME"));
        }

        /** The file offset of virtual address {@code address}, through the PT_LOAD segment that holds it. */
        private long fileOffset(long address, List<long[]> loads) throws ElfFormatException {
            for (long[] load : loads) {
                long vaddr = load[0];
                long size = load[2];
                if (Long.compareUnsigned(address, vaddr) >= 0 && Long.compareUnsigned(address - vaddr, size) < 0) {
                    return load[1] + (address - vaddr);
                }
            }
            throw bad("DT_STRTAB address 0x" + Long.toHexString(address) + " lies in no PT_LOAD segment");
        }

        private String string(int tableStart, int tableEnd, long offset, String what) throws ElfFormatException {
            if (offset < 0 || offset >= tableEnd - tableStart) {
                throw bad(what + " string offset " + Long.toUnsignedString(offset) + " is outside the string table ("
                        + (tableEnd - tableStart) + " bytes)");
            }
            return cString(tableStart + (int) offset, tableEnd, what);
        }

        private String cString(int start, int end, String what) throws ElfFormatException {
            for (int i = start; i < end; i++) {
                if (data[i] == 0) {
                    return new String(data, start, i - start, StandardCharsets.UTF_8);
                }
            }
            throw bad(what + " string at offset " + start + " has no terminating NUL");
        }

        /** Fails unless {@code [offset, offset + size)} lies inside the file. */
        private void within(long offset, long size, String what) throws ElfFormatException {
            if (offset < 0 || size < 0 || offset > data.length || size > data.length - offset) {
                throw bad(what + " at offset " + Long.toUnsignedString(offset) + ", " + Long.toUnsignedString(size)
                        + " bytes, lies outside the file (" + data.length + " bytes)");
            }
        }

        private int u16(int at) throws ElfFormatException {
            return (int) word(at, 2);
        }

        private long u32(int at) throws ElfFormatException {
            return word(at, 4);
        }

        private long s64(int at) throws ElfFormatException {
            return word(at, 8);
        }

        /** {@code size} bytes at {@code at} in the file's byte order, as an unsigned (2, 4) or raw (8 bytes) value. */
        private long word(int at, int size) throws ElfFormatException {
            need(at, size);
            long v = 0;
            for (int i = 0; i < size; i++) {
                int shift = little ? 8 * i : 8 * (size - 1 - i);
                v |= (long) (data[at + i] & 0xff) << shift;
            }
            return v;
        }

        /** An unsigned 64-bit file offset or size; one past 2^63 is no offset in any file we can read. */
        private long u64(int at, String field) throws ElfFormatException {
            long v = s64(at);
            if (v < 0) {
                throw bad(field + " 0x" + Long.toHexString(v) + " is larger than any file");
            }
            return v;
        }

        private void need(int at, int size) throws ElfFormatException {
            if (at < 0 || at > data.length - size) {
                throw bad("cut short: a " + size + "-byte field at offset " + at + " lies outside the file ("
                        + data.length + " bytes)");
            }
        }

        private ElfFormatException bad(String problem) {
            return new ElfFormatException(file, "not a valid ELF file: " + problem);
        }
    }
}
