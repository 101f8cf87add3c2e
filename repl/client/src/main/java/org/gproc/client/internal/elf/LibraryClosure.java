package org.gproc.client.internal.elf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A program's shared-library closure, found as the control node's dynamic loader (glibc's ld.so) would find it:
 * the program interpreter ({@code PT_INTERP}), then breadth first every {@code DT_NEEDED} of every object loaded.
 * Each name is looked up in this order: a name with a slash is a path; else the requesting object's
 * {@code DT_RPATH} and those of the objects that loaded it (only while none of them has a {@code DT_RUNPATH}),
 * {@code LD_LIBRARY_PATH}, the requesting object's {@code DT_RUNPATH}, {@code /etc/ld.so.cache}, then the default
 * directories. The dynamic tokens in those paths ({@code $ORIGIN}, {@code $LIB}, {@code $PLATFORM}) are expanded as
 * the control node's loader expands them ({@link DynamicTokens}). A candidate of another ELF class or machine is
 * passed over, as the loader does. A name already loaded (as needed or by its {@code DT_SONAME}) is not loaded twice.
 */
public record LibraryClosure(Path program, ElfFile elf, Path interpreter, List<Library> libraries) {

    /** One library: the name it is needed by (the loader looks for that file name) and where it was found. */
    public record Library(String name, Path path) {
    }

    /** Where the loader looks; {@link #system} is the control node's. */
    /** @param tokens {@code $LIB} and {@code $PLATFORM}; null: learnt from the program's interpreter if needed */
    public record SearchPath(String ldLibraryPath, LdSoCache cache, String cacheName, List<Path> defaultDirs,
                             DynamicTokens tokens) {
        public SearchPath {
            defaultDirs = List.copyOf(defaultDirs);
        }

        public SearchPath(String ldLibraryPath, LdSoCache cache, String cacheName, List<Path> defaultDirs) {
            this(ldLibraryPath, cache, cacheName, defaultDirs, null);
        }

        /**
         * This process's {@code LD_LIBRARY_PATH}, {@code /etc/ld.so.cache} (a cache the loader could not read either
         * counts as empty) and glibc's default directories for {@code elf}'s machine.
         */
        public static SearchPath system(ElfFile elf) {
            LdSoCache cache;
            try {
                cache = LdSoCache.read(LdSoCache.SYSTEM);
            } catch (IOException unreadable) {
                cache = LdSoCache.empty();
            }
            return new SearchPath(System.getenv("LD_LIBRARY_PATH"), cache, LdSoCache.SYSTEM.toString(),
                    defaultDirs(elf));
        }

        /** Debian's multiarch directories for the machine, then {@code lib64} (64-bit), then {@code lib}. */
        static List<Path> defaultDirs(ElfFile elf) {
            List<Path> dirs = new ArrayList<>();
            String triplet = switch (elf.arch()) {
                case "x86_64" -> "x86_64-linux-gnu";
                case "aarch64" -> "aarch64-linux-gnu";
                case "i686" -> "i386-linux-gnu";
                case "arm" -> "arm-linux-gnueabihf";
                case "ppc64le" -> "powerpc64le-linux-gnu";
                case "s390x" -> "s390x-linux-gnu";
                case "riscv64" -> "riscv64-linux-gnu";
                default -> null;
            };
            if (triplet != null) {
                dirs.add(Path.of("/lib", triplet));
                dirs.add(Path.of("/usr/lib", triplet));
            }
            if (elf.is64()) {
                dirs.add(Path.of("/lib64"));
                dirs.add(Path.of("/usr/lib64"));
            }
            dirs.add(Path.of("/lib"));
            dirs.add(Path.of("/usr/lib"));
            return dirs;
        }
    }

    public LibraryClosure {
        libraries = List.copyOf(libraries);
    }

    /** The closure of {@code program} with the control node's search path. */
    public static LibraryClosure of(Path program) throws IOException {
        ElfFile elf = ElfFile.read(program);
        return of(program, elf, SearchPath.system(elf));
    }

    /** The closure of {@code program} (already parsed as {@code elf}) with {@code search}. */
    public static LibraryClosure of(Path program, ElfFile elf, SearchPath search) throws IOException {
        if (!elf.isDynamic()) {
            return new LibraryClosure(program, elf, null, List.of());
        }
        if (elf.interpreter() == null) {
            throw new IOException(program + ": needs shared libraries but names no program interpreter (PT_INTERP),"
                    + " so it is not a program the loader can start");
        }
        return new Resolver(program, elf, search).resolve();
    }

    /** Every file of the closure, the program first, then the interpreter and the libraries in load order. */
    public List<Path> files() {
        List<Path> all = new ArrayList<>();
        all.add(program);
        if (interpreter != null) {
            all.add(interpreter);
        }
        libraries.forEach(l -> all.add(l.path()));
        return all;
    }

    /** One object loaded, and the object that needed it first (null for the program). */
    private record Loaded(Path path, ElfFile elf, Loaded loader) {
    }

    private static final class Resolver {
        private final Path program;
        private final ElfFile elf;
        private final SearchPath search;
        private final Map<String, Loaded> byName = new HashMap<>();
        private final Deque<Loaded> queue = new ArrayDeque<>();
        private final List<Library> found = new ArrayList<>();
        private DynamicTokens tokens;

        Resolver(Path program, ElfFile elf, SearchPath search) {
            this.program = program;
            this.elf = elf;
            this.search = search;
        }

        LibraryClosure resolve() throws IOException {
            Path origin = program.toRealPath().getParent();
            Loaded main = new Loaded(origin.resolve(program.toRealPath().getFileName()), elf, null);
            Path interpreter = Path.of(elf.interpreter());
            tokens = search.tokens() != null ? search.tokens() : DynamicTokens.probing(interpreter, program);
            if (!Files.isRegularFile(interpreter)) {
                throw new IOException(program + ": its program interpreter " + interpreter
                        + " (PT_INTERP) is not on the control node");
            }
            ElfFile rtld = ElfFile.read(interpreter);
            if (!rtld.compatibleWith(elf)) {
                throw new IOException(program + ": its program interpreter " + interpreter + " is " + rtld.arch()
                        + ", the program " + elf.arch());
            }
            remember(interpreter.getFileName().toString(), new Loaded(interpreter, rtld, null));
            queue.add(main);
            while (!queue.isEmpty()) {
                Loaded object = queue.removeFirst();
                for (String name : object.elf().needed()) {
                    if (byName.containsKey(name)) {
                        continue;
                    }
                    Loaded library = find(name, object);
                    found.add(new Library(name, library.path()));
                    remember(name, library);
                    queue.addLast(library);
                }
            }
            return new LibraryClosure(program, elf, interpreter, found);
        }

        private void remember(String name, Loaded object) {
            byName.put(name, object);
            if (object.elf().soname() != null) {
                byName.putIfAbsent(object.elf().soname(), object);
            }
        }

        private Loaded find(String name, Loaded requester) throws IOException {
            if (name.contains("/")) {
                throw new IOException(requester.path() + " needs " + name + " by path; gproc pushes libraries by"
                        + " name only (relink it with a soname)");
            }
            List<String> searched = new ArrayList<>();
            boolean runpath = requester.elf().runpath() != null;
            if (!runpath) {
                for (Loaded at = requester; at != null; at = at.loader()) {
                    if (at.elf().runpath() != null) {
                        break;
                    }
                    Loaded hit = inDirs(name, at.elf().rpath(), at, requester, "DT_RPATH of " + at.path(),
                            searched);
                    if (hit != null) {
                        return hit;
                    }
                }
            }
            Loaded hit = inDirs(name, search.ldLibraryPath(), mainOf(requester), requester, "LD_LIBRARY_PATH",
                    searched);
            if (hit == null && runpath) {
                hit = inDirs(name, requester.elf().runpath(), requester, requester,
                        "DT_RUNPATH of " + requester.path(), searched);
            }
            if (hit == null) {
                hit = inCache(name, requester, searched);
            }
            for (int i = 0; hit == null && i < search.defaultDirs().size(); i++) {
                Path dir = search.defaultDirs().get(i);
                searched.add(dir.toString());
                hit = candidate(dir.resolve(name), requester);
            }
            if (hit != null) {
                return hit;
            }
            throw new IOException(name + " (needed by " + requester.path() + ") is not on the control node: searched "
                    + String.join(", ", new LinkedHashSet<>(searched)));
        }

        private Loaded inCache(String name, Loaded requester, List<String> searched) throws IOException {
            searched.add(search.cacheName());
            for (String path : search.cache().lookup(name)) {
                Loaded hit = candidate(Path.of(path), requester);
                if (hit != null) {
                    return hit;
                }
            }
            return null;
        }

        private static Loaded mainOf(Loaded object) {
            Loaded at = object;
            while (at.loader() != null) {
                at = at.loader();
            }
            return at;
        }

        /** {@code name} in the directories of {@code list}, whose {@code $ORIGIN} is {@code origin}'s directory. */
        private Loaded inDirs(String name, String list, Loaded origin, Loaded requester, String what,
                              List<String> searched)
                throws IOException {
            if (list == null || list.isEmpty()) {
                return null;
            }
            Set<String> dirs = new LinkedHashSet<>();
            for (String dir : list.split("[:;]", -1)) {
                dirs.add(tokens.expand(dir.isEmpty() ? "." : dir, origin.path().getParent()));
            }
            searched.add(what + " (" + String.join(":", dirs) + ")");
            for (String dir : dirs) {
                Loaded hit = candidate(Path.of(dir).resolve(name), requester);
                if (hit != null) {
                    return hit;
                }
            }
            return null;
        }

        /** The object at {@code path} if it is a loadable ELF of the program's class and machine, else null. */
        private Loaded candidate(Path path, Loaded requester) throws IOException {
            if (!Files.isRegularFile(path) || !ElfFile.isElf(path)) {
                return null;
            }
            ElfFile lib;
            try {
                lib = ElfFile.read(path);
            } catch (ElfFormatException broken) {
                return null; // the loader, too, passes over a file it cannot load and searches on
            }
            return lib.compatibleWith(elf) ? new Loaded(path, lib, requester) : null;
        }
    }
}
