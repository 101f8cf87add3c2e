package org.gproc.daemon.session;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.LinkOption;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Small helpers on real directory trees under the state dir. */
public final class FileTrees {
    private static final Logger LOG = LoggerFactory.getLogger(FileTrees.class);

    private FileTrees() {
    }

    /**
     * Bytes of the regular files under {@code dir} that have no other link (a blob {@code link} placed there shares
     * its inode with the cache, which counts it); symbolic links are not followed. 0 if it cannot be walked.
     */
    static long uniqueBytes(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile() && (Integer) Files.getAttribute(file, "unix:nlink",
                            LinkOption.NOFOLLOW_LINKS) == 1) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            return total[0];
        }
        return total[0];
    }

    /**
     * Deletes {@code dir} and everything under it without following symbolic links; best effort. Where the platform
     * offers it (Linux), every step is relative to an open directory ({@code openat}/{@code unlinkat} with
     * {@code O_NOFOLLOW}), so a process that swaps a directory for a symbolic link while the daemon deletes its tree
     * cannot make the daemon delete anything outside it.
     */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path absolute = dir.toAbsolutePath();
        try (DirectoryStream<Path> parent = Files.newDirectoryStream(absolute.getParent())) {
            if (parent instanceof SecureDirectoryStream<Path> secure) {
                delete(secure, absolute.getFileName());
                return;
            }
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
            return;
        }
        deleteByPath(dir);
    }

    private static final Set<PosixFilePermission> OWNER_ALL = PosixFilePermissions.fromString("rwx------");

    private static void delete(SecureDirectoryStream<Path> parent, Path name) throws IOException {
        BasicFileAttributes attrs = parent.getFileAttributeView(name, BasicFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS).readAttributes();
        if (!attrs.isDirectory()) {
            parent.deleteFile(name);
            return;
        }
        try {
            // a process may have left a directory without read, write or search permission
            parent.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(OWNER_ALL);
        } catch (IOException | UnsupportedOperationException notOurs) {
            // root needs no permission bits; a daemon that does not own it cannot delete it anyway
        }
        try (SecureDirectoryStream<Path> child = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
            for (Path entry : child) {
                try {
                    delete(child, entry.getFileName());
                } catch (IOException e) {
                    LOG.warn("could not delete {}: {}", entry, e.toString());
                }
            }
        }
        parent.deleteDirectory(name);
    }

    private static void deleteByPath(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    // a process may have left a directory without write or search permission
                    d.toFile().setWritable(true, true);
                    d.toFile().setExecutable(true, true);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    try {
                        Files.deleteIfExists(d);
                    } catch (IOException leftBehind) {
                        LOG.warn("could not delete {}: {}", d, leftBehind.toString());
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
