package org.gproc.client.internal.elf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The loader's dynamic string tokens in {@code DT_RPATH}/{@code DT_RUNPATH} entries, expanded as glibc's
 * {@code _dl_dst_substitute} does: {@code $ORIGIN} is the object's directory, {@code $LIB} and {@code $PLATFORM} are
 * what the control node's loader makes of them (Debian's x86_64 glibc: {@code lib/x86_64-linux-gnu} and the CPU's
 * platform, e.g. {@code haswell}), each also written {@code ${NAME}}; a token glibc does not know (say
 * {@code $FOO}) is left as it is, so the directory is searched under that literal name, as glibc searches it.
 * {@code $LIB} and {@code $PLATFORM} are learnt from the loader itself, once and only when a path holds one: it
 * lists the program ({@code ld.so --list}, which runs none of the program's code) with {@code LD_DEBUG=libs} and
 * an {@code LD_LIBRARY_PATH} of both tokens, and prints the directories it made of them.
 */
public final class DynamicTokens {
    private static final String LIB_PROBE = "/@gproc-lib/";
    private static final String PLATFORM_PROBE = "/@gproc-platform/";
    private static final long PROBE_SECONDS = 30;

    private final Path interpreter;
    private final Path program;
    private String lib;
    private String platform;

    private DynamicTokens(Path interpreter, Path program, String lib, String platform) {
        this.interpreter = interpreter;
        this.program = program;
        this.lib = lib;
        this.platform = platform;
    }

    /** Tokens the loader {@code interpreter} gives when it lists {@code program}, learnt when first needed. */
    public static DynamicTokens probing(Path interpreter, Path program) {
        return new DynamicTokens(interpreter, program, null, null);
    }

    /** Fixed values (for specs). */
    public static DynamicTokens of(String lib, String platform) {
        return new DynamicTokens(null, null, lib, platform);
    }

    /** {@code dir} with its tokens replaced; {@code originDir} is the directory of the object that names it. */
    public String expand(String dir, Path originDir) throws IOException {
        StringBuilder out = new StringBuilder(dir.length() + 32);
        int i = 0;
        while (i < dir.length()) {
            char c = dir.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            String name = null;
            int end = i + 1;
            if (end < dir.length() && dir.charAt(end) == '{') {
                int close = dir.indexOf('}', end);
                if (close > 0) {
                    name = dir.substring(end + 1, close);
                    end = close + 1;
                }
            } else {
                while (end < dir.length() && (Character.isLetterOrDigit(dir.charAt(end)) || dir.charAt(end) == '_')) {
                    end++;
                }
                name = dir.substring(i + 1, end);
            }
            String value = name == null ? null : switch (name) {
                case "ORIGIN" -> originDir.toString();
                case "LIB" -> lib();
                case "PLATFORM" -> platform();
                default -> null;
            };
            if (value == null) {
                out.append('$'); // unknown to glibc: kept as written
                i++;
            } else {
                out.append(value);
                i = end;
            }
        }
        return out.toString();
    }

    private synchronized String lib() throws IOException {
        if (lib == null) {
            probe();
        }
        return lib;
    }

    private synchronized String platform() throws IOException {
        if (platform == null) {
            probe();
        }
        return platform;
    }

    private void probe() throws IOException {
        String what = "cannot learn $LIB and $PLATFORM from the control node's loader " + interpreter;
        if (interpreter == null) {
            throw new IOException(what + ": no loader");
        }
        ProcessBuilder pb = new ProcessBuilder(interpreter.toString(), "--list", program.toString())
                .redirectErrorStream(true);
        pb.environment().put("LD_DEBUG", "libs");
        pb.environment().put("LD_LIBRARY_PATH", LIB_PROBE + "$LIB:" + PLATFORM_PROBE + "$PLATFORM");
        String output;
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + ": it did not answer in " + PROBE_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted", e);
        }
        String foundLib = null;
        String foundPlatform = null;
        for (String line : output.split("\n")) {
            int at = line.indexOf("search path=");
            if (at < 0 || !line.contains("(LD_LIBRARY_PATH)")) {
                continue;
            }
            String list = line.substring(at + "search path=".length()).trim();
            list = list.substring(0, list.lastIndexOf("(LD_LIBRARY_PATH)")).trim();
            // each directory comes after its hardware-capability subdirectories: the last one is the token's value
            for (String entry : list.split(":")) {
                if (entry.startsWith(LIB_PROBE)) {
                    foundLib = entry.substring(LIB_PROBE.length());
                } else if (entry.startsWith(PLATFORM_PROBE)) {
                    foundPlatform = entry.substring(PLATFORM_PROBE.length());
                }
            }
            break;
        }
        if (foundLib == null || foundPlatform == null) {
            throw new IOException(what + ": its LD_DEBUG=libs output names no search path for them");
        }
        lib = foundLib;
        platform = foundPlatform;
    }
}
