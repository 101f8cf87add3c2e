package org.gproc.daemon.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --user-map FILE}: one {@code principal unixuser} pair per line; blank lines and {@code #} comments (whole
 * lines or after the pair) are ignored. Every error names the file and line: a line that is not exactly two words, a
 * principal listed twice, a Unix user that does not exist.
 */
public final class UserMap {

    /** Looks a Unix user up by name (getent in production, a table in tests). */
    @FunctionalInterface
    public interface Lookup {
        Optional<UnixUser> find(String name) throws IOException;
    }

    private final Path file;
    private final Map<String, UnixUser> users;

    private UserMap(Path file, Map<String, UnixUser> users) {
        this.file = file;
        this.users = Map.copyOf(users);
    }

    public static UserMap load(Path file) throws IOException {
        return load(file, UnixUser::lookup);
    }

    public static UserMap load(Path file, Lookup lookup) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("--user-map " + file + ": cannot read it: " + e.getMessage(), e);
        }
        Map<String, UnixUser> users = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (content.isEmpty()) {
                continue;
            }
            String[] words = content.split("\\s+");
            if (words.length != 2) {
                throw new IOException(where(file, number) + "expected 'principal unixuser', got '" + content + "'");
            }
            if (firstLine.containsKey(words[0])) {
                throw new IOException(where(file, number) + "principal '" + words[0] + "' is already mapped on line "
                        + firstLine.get(words[0]));
            }
            Optional<UnixUser> user = lookup.find(words[1]);
            if (user.isEmpty()) {
                throw new IOException(where(file, number) + "no Unix user '" + words[1] + "' (getent passwd finds"
                        + " none) for principal '" + words[0] + "'");
            }
            firstLine.put(words[0], number);
            users.put(words[0], user.get());
        }
        return new UserMap(file, users);
    }

    private static String where(Path file, int line) {
        return "--user-map " + file + ":" + line + ": ";
    }

    public Optional<UnixUser> user(String principal) {
        return Optional.ofNullable(users.get(principal));
    }

    public Map<String, UnixUser> entries() {
        return users;
    }

    public Path file() {
        return file;
    }
}
