package org.gproc.cli.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What a file is on disk as far as the agent can tell without reading it: its device and inode, size, and
 * modification and change times. A rewrite in place, a replacement by rename and a {@code touch} all change it.
 */
record FileStamp(Object device, Object inode, long size, FileTime modified, FileTime changed) {
    /** A file changed this recently may change again within the same timestamp: trust no copy of it yet. */
    static final int SETTLE_SECONDS = 2;

    /** The file's stamp; null when it cannot be read (absent, or no permission). */
    static FileStamp of(Path file) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
            return new FileStamp(a.get("dev"), a.get("ino"), (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"),
                    (FileTime) a.get("ctime"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether both times are at least {@value #SETTLE_SECONDS} s in the past. */
    boolean settled() {
        long now = System.currentTimeMillis();
        return now - modified.toMillis() >= SETTLE_SECONDS * 1000L && now - changed.toMillis() >= SETTLE_SECONDS * 1000L;
    }

    @Override
    public String toString() {
        return device + ":" + inode + "/" + size + "/" + modified + "/" + changed;
    }
}
