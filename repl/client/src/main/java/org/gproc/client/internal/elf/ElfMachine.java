package org.gproc.client.internal.elf;

import java.util.Locale;

/**
 * ELF machines as a node's {@code arch} file names them ({@code uname -m} style: {@code x86_64}, {@code aarch64}), so
 * a binary can be matched to the nodes that can run it.
 */
public final class ElfMachine {
    private ElfMachine() {
    }

    /** The arch name of ELF machine {@code machine} with that class and byte order; {@code machine N} if unknown. */
    public static String archOf(int machine, boolean is64, boolean littleEndian) {
        return switch (machine) {
            case 3 -> "i686";
            case 62 -> is64 ? "x86_64" : "x32";
            case 183 -> "aarch64";
            case 40 -> "arm";
            case 21 -> littleEndian ? "ppc64le" : "ppc64";
            case 20 -> "ppc";
            case 22 -> is64 ? "s390x" : "s390";
            case 243 -> is64 ? "riscv64" : "riscv32";
            case 8 -> is64 ? (littleEndian ? "mips64el" : "mips64") : (littleEndian ? "mipsel" : "mips");
            case 258 -> "loongarch64";
            default -> "machine " + machine;
        };
    }

    /**
     * The one name for the spellings an arch goes by ({@code amd64} is {@code x86_64}, {@code arm64} is
     * {@code aarch64}, {@code i386} to {@code i686} are {@code i686}, {@code armv7l} is {@code arm}).
     */
    public static String normalize(String arch) {
        String a = arch.strip().toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x64" -> "x86_64";
            case "arm64" -> "aarch64";
            case "i386", "i486", "i586", "x86" -> "i686";
            case "armv6l", "armv7l", "armhf", "armel" -> "arm";
            default -> a;
        };
    }
}
