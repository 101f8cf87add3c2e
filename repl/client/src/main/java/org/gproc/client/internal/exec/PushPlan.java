package org.gproc.client.internal.exec;

import org.gproc.client.internal.elf.ElfFile;
import org.gproc.client.internal.elf.ElfFormatException;
import org.gproc.client.internal.elf.ElfMachine;
import org.gproc.client.internal.elf.LibraryClosure;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a push sends to a node of a given arch: one program for every node, or one per arch
 * ({@code push(x86_64: 'sim.x86_64', aarch64: 'sim.aarch64')}), optionally with its shared-library closure. Every
 * file is read, hashed and (if ELF) parsed when the plan is made, so a missing library or a binary given for the
 * wrong arch fails before anything is sent. {@link #forNode} then picks a node's program by the arch the node
 * reports, and refuses (sending nothing) a node whose arch no binary is for.
 *
 * <p>With libraries the process is started by the pushed program interpreter, so the node loads exactly the pushed
 * files: {@code .lib/ld-linux-x86-64.so.2 --library-path .lib --inhibit-cache [--inhibit-rpath OBJECTS]
 * --argv0 ./sim ./sim ARGS}, every library linked into the session's {@code fs/.lib/} under the name it is needed by.
 */
public final class PushPlan {
    /** The session directory the pushed interpreter and libraries are linked into. */
    public static final String LIB_DIR = ".lib";

    private final Map<String, Binary> byArch;
    private final Binary anyArch;

    /** One arch's program: its blob and, with libraries, the interpreter and libraries to link beside it. */
    private record Binary(Path file, LocalBlob blob, ElfFile elf, LocalBlob interpreter, List<LocalBlob> libraries,
                          List<String> rpathObjects) {
        String arch() {
            return elf == null ? null : elf.arch();
        }
    }

    private PushPlan(Map<String, Binary> byArch, Binary anyArch) {
        this.byArch = byArch;
        this.anyArch = anyArch;
    }

    /** One program for every node; an ELF program is still checked against each node's arch. */
    public static PushPlan of(Path program, boolean libraries, LocalBlobs reader) {
        return new PushPlan(Map.of(), binary(program, null, libraries, reader));
    }

    /** One program per arch (keys as a node's {@code arch} names them); each ELF must be of its key's arch. */
    public static PushPlan perArch(Map<String, Path> programs, boolean libraries, LocalBlobs reader) {
        if (programs.isEmpty()) {
            throw new IllegalArgumentException("push: name a binary for at least one arch (e.g. x86_64: 'build/sim')");
        }
        Map<String, Binary> byArch = new LinkedHashMap<>();
        programs.forEach((arch, file) -> {
            String key = ElfMachine.normalize(arch);
            if (byArch.put(key, binary(file, key, libraries, reader)) != null) {
                throw new IllegalArgumentException("push: two binaries for arch " + key);
            }
        });
        return new PushPlan(Map.copyOf(byArch), null);
    }

    private static Binary binary(Path file, String arch, boolean libraries, LocalBlobs reader) {
        LocalBlob blob = reader.read(file);
        ElfFile elf = null;
        if (ElfFile.isElf(blob.path())) {
            try {
                elf = ElfFile.parse(file.toString(), blob.data());
            } catch (ElfFormatException e) {
                throw new IllegalArgumentException("push: " + e.getMessage(), e);
            }
        }
        if (arch != null && elf != null && !elf.arch().equals(arch)) {
            throw new IllegalArgumentException("push: " + file + " is an " + elf.arch() + " binary, given for "
                    + arch);
        }
        if (arch != null && elf == null) {
            throw new IllegalArgumentException("push: " + file + " (given for " + arch + ") is not an ELF binary;"
                    + " a script runs on every arch, so push it without naming one");
        }
        if (!libraries || elf == null || !elf.isDynamic()) {
            return new Binary(file, blob, elf, null, List.of(), List.of());
        }
        LibraryClosure closure;
        try {
            closure = LibraryClosure.of(blob.path(), elf, LibraryClosure.SearchPath.system(elf));
        } catch (IOException e) {
            throw new IllegalArgumentException("push " + file + " with libs: " + e.getMessage(), e);
        }
        List<LocalBlob> libs = new ArrayList<>();
        List<String> rpathObjects = new ArrayList<>();
        if (elf.rpath() != null && elf.runpath() == null) {
            rpathObjects.add(blob.name());
        }
        for (LibraryClosure.Library lib : closure.libraries()) {
            LocalBlob read = reader.read(lib.path()).named(LIB_DIR + "/" + lib.name());
            libs.add(read);
            if (hasRpathOnly(read)) {
                rpathObjects.add(read.name());
            }
        }
        LocalBlob interpreter = reader.read(closure.interpreter())
                .named(LIB_DIR + "/" + closure.interpreter().getFileName()).executable(true);
        return new Binary(file, blob, elf, interpreter, List.copyOf(libs), List.copyOf(rpathObjects));
    }

    /** A DT_RPATH (without DT_RUNPATH) is searched before --library-path, so the loader must be told to ignore it. */
    private static boolean hasRpathOnly(LocalBlob lib) {
        try {
            ElfFile elf = ElfFile.parse(lib.path().toString(), lib.data());
            return elf.rpath() != null && elf.runpath() == null;
        } catch (ElfFormatException e) {
            return false;
        }
    }

    /** True when a node's arch must be known to choose or check its program. */
    public boolean needsArch() {
        return anyArch == null || anyArch.elf() != null;
    }

    /** The program's name as shown (argv[0]): the file name of the first binary. */
    public String programName() {
        Binary b = anyArch != null ? anyArch : byArch.values().iterator().next();
        return b.blob().name();
    }

    /** What one node runs: the program to exec, the arguments before the user's, and the blobs to link. */
    public record Choice(String program, List<String> leadingArgs, List<LocalBlob> blobs) {
    }

    /**
     * The choice for {@code node} of arch {@code nodeArch} (null when {@link #needsArch} is false), with its working
     * directory {@code dir} (null: {@code fs/}). Throws {@link IllegalStateException} naming the node, its arch and
     * the binary's arch when the node can run none of the binaries.
     */
    public Choice forNode(String node, String nodeArch, String dir) {
        String arch = nodeArch == null ? null : ElfMachine.normalize(nodeArch);
        Binary b = anyArch;
        if (b == null) {
            b = byArch.get(arch);
            if (b == null) {
                throw new IllegalStateException(node + " is " + arch + " and the push names no binary for it"
                        + " (only for " + String.join(", ", byArch.keySet()) + "): nothing sent");
            }
        } else if (b.elf() != null && arch != null && !b.arch().equals(arch)) {
            throw new IllegalStateException(node + " is " + arch + " but " + b.file() + " is an " + b.arch()
                    + " binary: nothing sent");
        }
        if (b.interpreter() == null) {
            return new Choice(b.blob().name(), List.of(), List.of(b.blob()));
        }
        String up = upToFs(dir);
        List<String> lead = new ArrayList<>(List.of("--library-path", up + LIB_DIR, "--inhibit-cache"));
        if (!b.rpathObjects().isEmpty()) {
            lead.add("--inhibit-rpath");
            lead.add(String.join(":", b.rpathObjects().stream().map(o -> up + o).toList()));
        }
        lead.addAll(List.of("--argv0", up + b.blob().name(), up + b.blob().name()));
        List<LocalBlob> blobs = new ArrayList<>();
        blobs.add(b.blob());
        blobs.add(b.interpreter());
        blobs.addAll(b.libraries());
        return new Choice(b.interpreter().name(), lead, blobs);
    }

    /**
     * The relative way from working directory {@code dir} back to {@code fs/} ({@code ./} for fs/ itself), since the
     * loader's arguments are paths relative to where the process starts.
     */
    /**
     * The program's own argv (what the user ran) in the argv of a process started through the pushed loader, as
     * {@link #choose} writes it ({@code .lib/ld.so --library-path .. --argv0 P P ARGS}); null for any other argv.
     */
    public static List<String> programArgv(List<String> argv) {
        if (argv.isEmpty() || !isLoaderName(argv.get(0))) {
            return null;
        }
        int i = 1;
        while (i < argv.size()) {
            switch (argv.get(i)) {
                case "--argv0" -> {
                    return i + 2 < argv.size() ? List.copyOf(argv.subList(i + 2, argv.size())) : null;
                }
                case "--library-path", "--inhibit-rpath" -> i += 2;
                case "--inhibit-cache" -> i += 1;
                default -> {
                    return null; // not a command line this class writes
                }
            }
        }
        return null;
    }

    private static boolean isLoaderName(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return path.contains(LIB_DIR + "/") && name.startsWith("ld") && name.contains(".so");
    }

    private static String upToFs(String dir) {
        if (dir == null || dir.isEmpty()) {
            return "./";
        }
        Path relative = Path.of(dir).normalize();
        if (relative.isAbsolute() || relative.startsWith("..")) {
            throw new IllegalStateException("libs: the working directory '" + dir + "' must be inside the session's"
                    + " fs/ (a relative path), since the pushed libraries are found relative to it");
        }
        return "../".repeat(relative.toString().isEmpty() ? 0 : relative.getNameCount());
    }

    /** Every distinct file the plan may send, for a dry run's accounting. */
    public List<LocalBlob> allBlobs() {
        List<LocalBlob> all = new ArrayList<>();
        List<Binary> binaries = anyArch != null ? List.of(anyArch) : List.copyOf(byArch.values());
        for (Binary b : binaries) {
            all.add(b.blob());
            if (b.interpreter() != null) {
                all.add(b.interpreter());
            }
            all.addAll(b.libraries());
        }
        return all;
    }
}
