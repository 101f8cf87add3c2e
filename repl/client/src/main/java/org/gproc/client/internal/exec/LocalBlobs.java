package org.gproc.client.internal.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local files one cluster has read to push, remembered by (path, size, modification time) so that a script or
 * REPL session that pushes the same binary again reads and hashes nothing. The cluster's {@link ExecEngine} owns it:
 * the contents held here (a handful of recent files, whole) are freed when the cluster closes, and two clusters in
 * one JVM never see each other's files.
 */
public final class LocalBlobs {
    private static final int REMEMBERED = 16;

    private final Map<String, LocalBlob> recent = new LinkedHashMap<>(REMEMBERED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LocalBlob> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** Every file named (a path or anything whose text is one), read as {@link #read} reads it. */
    public List<LocalBlob> readAll(Object... files) {
        return Arrays.stream(files).map(f -> read(Path.of(String.valueOf(f)))).toList();
    }

    /** The file's blob: remembered if the file is unchanged since it was last read, otherwise read now. */
    public LocalBlob read(Path file) {
        Path path = file.toAbsolutePath().normalize();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("push: cannot read '" + file + "': no such file");
        }
        if (!attrs.isRegularFile()) {
            throw new IllegalArgumentException("push: '" + file + "' is not a regular file");
        }
        String key = path + "\0" + attrs.size() + "\0" + attrs.lastModifiedTime().toMillis();
        synchronized (recent) {
            LocalBlob known = recent.get(key);
            if (known != null) {
                return known;
            }
        }
        LocalBlob blob = LocalBlob.read(file, path);
        synchronized (recent) {
            recent.put(key, blob);
        }
        return blob;
    }
}
