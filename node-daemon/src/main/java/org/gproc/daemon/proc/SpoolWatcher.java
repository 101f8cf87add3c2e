package org.gproc.daemon.proc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One java.nio {@link WatchService} (inotify on Linux) for every spool and exit-status file of a daemon, with a single
 * dispatch thread. A directory is watched while at least one file in it is; events for one file that arrive
 * together run its listeners once; an inotify queue overflow runs every listener of the directory. Listeners run on
 * the dispatch thread and must be quick (they complete futures; whatever depends on those must not block).
 * The JDK adds its own inotify poller thread, so a daemon spends two threads here however many processes it runs.
 */
public final class SpoolWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SpoolWatcher.class);

    /** A registered listener; closing it stops the calls (one already running may finish). */
    public interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    private final class Directory {
        final Path path;
        WatchKey key;
        final Map<String, List<Runnable>> listeners = new HashMap<>();

        Directory(Path path, WatchKey key) {
            this.path = path;
            this.key = key;
        }
    }

    private final WatchService service;
    private final Map<Path, Directory> directories = new HashMap<>();
    private final Map<WatchKey, Directory> byKey = new HashMap<>();

    public SpoolWatcher() {
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw new UncheckedIOException("spool watcher: cannot create a file watch service", e);
        }
        Thread thread = new Thread(this::run, "gprocd-spool-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Calls {@code onChange} on the watcher thread whenever {@code file} may have been created or grown. */
    public Watch watch(Path file, Runnable onChange) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        Runnable listener = onChange::run; // a distinct identity per registration
        synchronized (this) {
            Directory directory = directories.get(dir);
            if (directory == null || !directory.key.isValid()) {
                WatchKey key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
                if (directory == null) {
                    directory = new Directory(dir, key);
                    directories.put(dir, directory);
                } else {
                    byKey.remove(directory.key);
                    directory.key = key;
                }
                byKey.put(key, directory);
            }
            directory.listeners.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(listener);
        }
        return () -> unwatch(dir, name, listener);
    }

    private synchronized void unwatch(Path dir, String name, Runnable listener) {
        Directory directory = directories.get(dir);
        if (directory == null) {
            return;
        }
        List<Runnable> list = directory.listeners.get(name);
        if (list != null && list.remove(listener) && list.isEmpty()) {
            directory.listeners.remove(name);
        }
        if (directory.listeners.isEmpty()) {
            directories.remove(dir);
            byKey.remove(directory.key);
            directory.key.cancel();
        }
    }

    /** Directories currently watched (one inotify watch each). */
    public synchronized int watchedDirectories() {
        return directories.size();
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = service.take();
                boolean overflow = false;
                Set<String> names = new HashSet<>();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        overflow = true;
                    } else if (event.context() instanceof Path path) {
                        names.add(path.toString());
                    }
                }
                boolean valid = key.reset();
                List<Runnable> due = new ArrayList<>();
                synchronized (this) {
                    Directory directory = byKey.get(key);
                    if (directory == null) {
                        continue;
                    }
                    if (overflow) {
                        directory.listeners.values().forEach(due::addAll);
                    } else {
                        for (String name : names) {
                            List<Runnable> list = directory.listeners.get(name);
                            if (list != null) {
                                due.addAll(list);
                            }
                        }
                    }
                    if (!valid) {
                        // The directory itself is gone: tell everyone once more, then forget it.
                        directory.listeners.values().forEach(due::addAll);
                        byKey.remove(key);
                    }
                }
                for (Runnable listener : due) {
                    try {
                        listener.run();
                    } catch (RuntimeException | Error e) {
                        log.warn("spool watcher: a listener failed", e);
                    }
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // close() was called.
        }
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            log.debug("spool watcher: closing the watch service failed", e);
        }
    }
}
