package org.gproc.daemon.policy;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.gproc.client.internal.elf.ElfFile;

/**
 * The environment variables that make the dynamic loader or libc load code or read files of the caller's choosing:
 * glibc's unsecure-envvars list ({@code sysdeps/generic/unsecvars.h}, which the loader strips for set-user-ID
 * programs, plus x86-64's {@code LD_PREFER_MAP_32BIT_EXEC}). A principal restricted by {@code --local-exec} may only
 * run code that is a blob in the node's cache, and {@code LD_PRELOAD=./evil.so} on a pushed {@code /bin/true} would
 * run a file that is not; so for such a principal each of these variables is refused, naming it, unless every file
 * it names is a cached blob:
 * <ul>
 * <li>file lists ({@code LD_PRELOAD}, {@code LD_AUDIT}, {@code HOSTALIASES}, {@code RESOLV_HOST_CONF}): each entry
 *     must be a path (a bare name would be looked up in the node's library directories) to a cached blob;</li>
 * <li>directory lists ({@code LD_LIBRARY_PATH}, {@code GCONV_PATH}, {@code LOCPATH}, {@code LD_ORIGIN_PATH},
 *     {@code GETCONF_DIR}, {@code TZDIR}, {@code TMPDIR}): every regular file under each directory (an empty entry
 *     is the working directory, as for the loader) must be a cached blob;</li>
 * <li>the others name no file that could be checked ({@code GLIBC_TUNABLES}, {@code LD_DEBUG}, {@code NLSPATH}
 *     templates, {@code MALLOC_TRACE} and {@code LD_DEBUG_OUTPUT}, which name files to write, ...): refused.</li>
 * </ul>
 * Relative paths resolve against the process's working directory; {@code $ORIGIN}-style expansions are refused.
 * For everyone, {@link #check} returns the sha256 of each file {@code LD_PRELOAD} and {@code LD_AUDIT} tell the
 * loader to load (and, for a restricted principal, of every file checked), for the exec audit line.
 */
public final class LoaderEnvPolicy {

    /** Files the loader loads, separated as glibc separates them. */
    private static final Map<String, String> FILE_LISTS = Map.of(
            "LD_PRELOAD", ": ", "LD_AUDIT", ":", "HOSTALIASES", "", "RESOLV_HOST_CONF", "");
    /** Directories searched for code or for data libc parses. */
    private static final Map<String, String> DIRECTORY_LISTS = Map.of(
            "LD_LIBRARY_PATH", ":;", "GCONV_PATH", ":", "LOCPATH", ":", "LD_ORIGIN_PATH", ":",
            "GETCONF_DIR", "", "TZDIR", "", "TMPDIR", "");
    /** The rest of the list: no file to check. */
    private static final Set<String> UNCHECKABLE = Set.of(
            "GLIBC_TUNABLES", "LD_DEBUG", "LD_DEBUG_OUTPUT", "LD_DYNAMIC_WEAK", "LD_HWCAP_MASK", "LD_PROFILE",
            "LD_SHOW_AUXV", "LD_USE_LOAD_BIAS", "LOCALDOMAIN", "MALLOC_TRACE", "NIS_PATH", "NLSPATH", "RES_OPTIONS",
            "LD_PREFER_MAP_32BIT_EXEC");
    private static final Set<String> LOADED = Set.of("LD_PRELOAD", "LD_AUDIT");
    private static final int MAX_FILES = 1000;
    private static final int MAX_DEPTH = 8;
    private static final long MAX_LOADER_BYTES = 8L << 20;

    /** sha256 of a file's content (the daemon's remembered hashes). */
    public interface Hasher {
        String sha256(Path file) throws IOException;
    }

    /** Whether the node's cache holds a blob with this sha256. */
    public interface Blobs {
        boolean contains(String sha256);
    }

    /** A file a variable names: as written, and the sha256 of what it resolves to (null if it does not exist). */
    public record Load(String variable, String path, String sha256) {
        /** For the audit line. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("variable", variable);
            m.put("path", path);
            m.put("sha256", sha256);
            return m;
        }
    }

    /** A variable refused for a restricted principal; the message names it and the rule. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final Hasher hasher;
    private final Blobs blobs;

    public LoaderEnvPolicy(Hasher hasher, Blobs blobs) {
        this.hasher = hasher;
        this.blobs = blobs;
    }

    /** Whether {@code name} is on glibc's unsecure-envvars list. */
    public static boolean unsecure(String name) {
        return FILE_LISTS.containsKey(name) || DIRECTORY_LISTS.containsKey(name) || UNCHECKABLE.contains(name);
    }

    /**
     * Judges {@code env} (what the client set) for a process started in {@code workingDir}.
     *
     * @param restricted the principal named in a refusal when it may only run pushed binaries; null when it may run
     *                   node files (nothing is refused then, loads are only recorded)
     * @return the files {@code LD_PRELOAD}/{@code LD_AUDIT} name (and, when restricted, every file checked)
     */
    public List<Load> check(Map<String, String> env, String restricted, Path workingDir) throws Refused {
        List<Load> loads = new ArrayList<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            if (!unsecure(name)) {
                continue;
            }
            String rule = "exec: principal '" + restricted + "' may only run pushed binaries (gprocd --local-exec),"
                    + " so " + name + " must name cached blobs only: ";
            if (restricted != null && UNCHECKABLE.contains(name)) {
                throw new Refused("exec: principal '" + restricted + "' may only run pushed binaries (gprocd"
                        + " --local-exec): " + name + " is refused (it makes the loader or libc act on something"
                        + " that is not a cached blob)");
            }
            if (restricted != null && value.indexOf('$') >= 0) {
                throw new Refused(rule + "'" + value + "' holds a loader expansion ($ORIGIN, $LIB, $PLATFORM)");
            }
            if (FILE_LISTS.containsKey(name)) {
                fileList(name, value, FILE_LISTS.get(name), LOADED.contains(name), rule, restricted, workingDir,
                        loads);
            } else if (restricted != null && DIRECTORY_LISTS.containsKey(name)) {
                directoryList(name, value, DIRECTORY_LISTS.get(name), rule, workingDir, loads);
            }
        }
        return loads;
    }

    /**
     * Judges the arguments of a program that is glibc's dynamic loader ({@link #isLoader}): its options
     * {@code --preload} and {@code --audit} load files as {@code LD_PRELOAD} and {@code LD_AUDIT} do, and
     * {@code --library-path} is {@code LD_LIBRARY_PATH}, so they are judged the same way; the program it is told to
     * run is a file it loads too and must be a cached blob named by a relative path, like the program of an exec;
     * an option it does not know of is refused for a restricted principal. For everyone the files loaded
     * ({@code --preload}, {@code --audit}, the program) are returned for the audit line.
     *
     * @param argv the whole argv, argv[0] the loader
     */
    public List<Load> checkLoaderArgs(List<String> argv, String restricted, Path workingDir) throws Refused {
        List<Load> loads = new ArrayList<>();
        String rule = "exec: principal '" + restricted + "' may only run pushed binaries (gprocd --local-exec),"
                + " so the pushed loader's ";
        int i = 1;
        while (i < argv.size()) {
            String option = argv.get(i);
            if (!option.startsWith("--")) {
                break;
            }
            String value = i + 1 < argv.size() ? argv.get(i + 1) : "";
            switch (option) {
                case "--preload" -> fileList(option, value, ": ", true, rule + option + " must name cached blobs"
                        + " only: ", restricted, workingDir, loads);
                case "--audit" -> fileList(option, value, ":", true, rule + option + " must name cached blobs"
                        + " only: ", restricted, workingDir, loads);
                case "--library-path" -> {
                    if (restricted != null) {
                        directoryList(option, value, ":;", rule + option + " must hold cached blobs only: ",
                                workingDir, loads);
                    }
                }
                case "--inhibit-rpath", "--argv0", "--glibc-hwcaps-prepend", "--glibc-hwcaps-mask" -> {
                }
                case "--inhibit-cache" -> {
                    i += 1;
                    continue;
                }
                default -> {
                    if (restricted != null) {
                        throw new Refused(rule + "option '" + option + "' is refused (only --library-path,"
                                + " --inhibit-cache, --inhibit-rpath, --argv0, --preload and --audit are judged)");
                    }
                    i += 1;
                    continue;
                }
            }
            i += 2;
        }
        if (i < argv.size()) {
            String program = argv.get(i);
            if (restricted != null && Path.of(program).isAbsolute()) {
                throw new Refused(rule + "program '" + program + "' is a node file");
            }
            Path file = resolve("program", program, workingDir);
            String hash = hashOrNull(file);
            if (restricted != null) {
                requireBlob(rule + "program must be a cached blob: ", program, file, hash);
            }
            loads.add(new Load("program", program, hash));
        }
        return loads;
    }

    /**
     * True when {@code file} is glibc's dynamic loader, by its own name ({@code DT_SONAME} {@code ld-linux*},
     * {@code ld64.so*} or {@code ld.so*}) and its lack of a program interpreter. A renamed copy is still one; a
     * program that only behaves like one is arbitrary pushed code, which the rule already lets run.
     */
    public static boolean isLoader(Path file) {
        try {
            if (!ElfFile.isElf(file) || Files.size(file) > MAX_LOADER_BYTES) {
                return false; // glibc's loader is a few hundred KiB: a program is not read whole for this
            }
            ElfFile elf = ElfFile.read(file);
            String soname = elf.soname();
            return elf.interpreter() == null && soname != null
                    && (soname.startsWith("ld-linux") || soname.startsWith("ld64.so") || soname.startsWith("ld.so"));
        } catch (IOException unreadable) {
            return false;
        }
    }

    private void fileList(String name, String value, String separators, boolean loaded, String rule,
                          String restricted, Path workingDir, List<Load> loads) throws Refused {
        for (String entry : split(value, separators)) {
            if (entry.isEmpty()) {
                continue;
            }
            if (restricted != null && entry.indexOf('/') < 0 && loaded) {
                throw new Refused(rule + "'" + entry + "' has no directory, so the loader would look it up in"
                        + " the node's library directories");
            }
            Path file = resolve(name, entry, workingDir);
            String hash = hashOrNull(file);
            if (restricted != null) {
                requireBlob(rule, entry, file, hash);
            }
            if (loaded || restricted != null) {
                loads.add(new Load(name, entry, hash));
            }
        }
    }

    private void directoryList(String name, String value, String separators, String rule, Path workingDir,
                               List<Load> loads) throws Refused {
        for (String entry : split(value, separators)) {
            Path dir = entry.isEmpty() ? workingDir : resolve(name, entry, workingDir);
            checkDirectory(rule, name, entry.isEmpty() ? "." : entry, dir, 0, loads);
        }
    }

    private void checkDirectory(String rule, String name, String shown, Path dir, int depth, List<Load> loads)
            throws Refused {
        if (!Files.isDirectory(dir)) {
            return; // nothing to load from a directory that is not there
        }
        if (depth > MAX_DEPTH) {
            throw new Refused(rule + "'" + shown + "' is nested more than " + MAX_DEPTH + " directories deep");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String child = shown + "/" + p.getFileName();
                if (Files.isDirectory(p)) {
                    if (Files.isSymbolicLink(p)) {
                        throw new Refused(rule + "'" + child + "' is a symbolic link to a directory");
                    }
                    checkDirectory(rule, name, child, p, depth + 1, loads);
                    continue;
                }
                if (loads.size() >= MAX_FILES) {
                    throw new Refused(rule + "'" + shown + "' holds more than " + MAX_FILES + " files to check");
                }
                String hash = hashOrNull(p);
                requireBlob(rule, child, p, hash);
                loads.add(new Load(name, child, hash));
            }
        } catch (IOException e) {
            throw new Refused(rule + "cannot read '" + shown + "': " + e.getMessage());
        }
    }

    private void requireBlob(String rule, String shown, Path file, String hash) throws Refused {
        if (hash == null) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new Refused(rule + "'" + shown + "' is not a regular file that could be checked");
            }
            throw new Refused(rule + "'" + shown + "' does not exist");
        }
        if (!blobs.contains(hash)) {
            throw new Refused(rule + "'" + shown + "' (sha256 " + hash + ") is not a blob in cache/");
        }
    }

    private String hashOrNull(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return null;
            }
            return hasher.sha256(file);
        } catch (IOException e) {
            return null;
        }
    }

    private static Path resolve(String name, String entry, Path workingDir) throws Refused {
        try {
            return workingDir.resolve(entry).normalize();
        } catch (InvalidPathException e) {
            throw new Refused("exec: " + name + ": bad path '" + entry + "': " + e.getReason());
        }
    }

    /** {@code value} split at any of {@code separators} (none: one entry), empty entries kept. */
    private static List<String> split(String value, String separators) {
        List<String> out = new ArrayList<>();
        if (separators.isEmpty()) {
            out.add(value);
            return out;
        }
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (separators.indexOf(c) >= 0) {
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        out.add(current.toString());
        return out;
    }
}
