package org.gproc.client

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import java.util.jar.JarEntry
import java.util.jar.JarOutputStream

/**
 * How CLI specs start a gproc or gprocd JVM of their own: on the classes under test, with a class-data sharing
 * archive as scripts/gproc uses one. The CLI specs start a few hundred such JVMs, and on two cores each start is
 * mostly CPU spent loading and verifying the same classes; the archive maps them instead.
 *
 * CDS takes classes from jars only, and a test's class path has directories (target/classes, test-classes), so
 * each directory is first copied into a jar of its own (once per test JVM). The archive is then recorded by one
 * training run, `gproc demo --script samples/hello.groovy` on one embedded node, which loads the CLI, both ends of
 * SSH, Groovy, push and run, as scripts/gproc's does. If recording fails, children start without an archive: the
 * specs see the same behaviour, only slower.
 */
final class ChildJvm {
    private static Path work
    private static String classPath
    private static Path archive

    private ChildJvm() {
    }

    /** The java program of this JVM. */
    static String java() {
        Path.of(System.getProperty('java.home'), 'bin', 'java').toString()
    }

    /** This JVM's class path with every directory replaced by a jar of its contents. */
    static synchronized String classPath() {
        if (classPath == null) {
            Path jars = Files.createDirectories(workDir().resolve('classpath'))
            int n = 0
            classPath = System.getProperty('java.class.path').split(File.pathSeparator).collect { String entry ->
                Path p = Path.of(entry)
                Files.isDirectory(p) ? jarOf(p, jars.resolve("dir-${n++}.jar")).toString() : entry
            }.join(File.pathSeparator)
        }
        classPath
    }

    /**
     * The options that put the shared archive in use: empty when none could be recorded. -Xlog:cds*=off keeps the
     * JVM's notes about the archive off the child's stderr, which specs compare whole.
     */
    static synchronized List<String> sharingOptions() {
        if (archive == null) {
            archive = record()
        }
        Files.size(archive) > 0 ? ["-XX:SharedArchiveFile=${archive}".toString(), '-Xshare:auto', '-Xlog:cds*=off']
                : []
    }

    private static Path workDir() {
        if (work == null) {
            work = Files.createTempDirectory('gproc-child-jvm')
            Runtime.runtime.addShutdownHook(new Thread({ work.toFile().deleteDir() }))
        }
        work
    }

    private static Path jarOf(Path dir, Path jar) {
        new JarOutputStream(Files.newOutputStream(jar)).withCloseable { out ->
            Files.walk(dir).withCloseable { files ->
                files.filter { Files.isRegularFile(it) }.sorted().forEach { Path f ->
                    out.putNextEntry(new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/' as char)))
                    Files.copy(f, out)
                    out.closeEntry()
                }
            }
        }
        jar
    }

    /** The archive, or an empty file when the training run did not leave one. */
    private static Path record() {
        Path done = workDir().resolve('gproc.jsa')
        Path tmp = workDir().resolve('gproc.jsa.tmp')
        Path demo = Files.createDirectories(workDir().resolve('training'))
        String hello = Path.of(System.getProperty('gproc.root'), 'samples', 'hello.groovy').toString()
        def pb = new ProcessBuilder(java(), "-XX:ArchiveClassesAtExit=${tmp}".toString(), '-Xlog:cds*=off',
                '-Dpicocli.disable.closures=true', '-XX:+UseSerialGC', '-cp', classPath(), "-Duser.home=${demo}".toString(),
                'org.gproc.cli.GprocCli', 'demo', '--nodes', '1', '--dir', demo.resolve('cluster').toString(),
                '--script', hello)
                .redirectErrorStream(true).redirectOutput(workDir().resolve('training.log').toFile())
        pb.environment().keySet().removeIf { it.startsWith('GPROC_') || it.startsWith('SLURM_') }
        pb.environment().put('HOME', demo.toString())
        Process p = pb.start()
        p.outputStream.close()
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor()
        }
        if (Files.isRegularFile(tmp) && Files.size(tmp) > 0) {
            Files.move(tmp, done)
        } else {
            System.err.println("ChildJvm: no class-data sharing archive (training run: ${workDir().resolve('training.log')})")
            Files.deleteIfExists(tmp)
            Files.createFile(done)
        }
        done
    }
}
