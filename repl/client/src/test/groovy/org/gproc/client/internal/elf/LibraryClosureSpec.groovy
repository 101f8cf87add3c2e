package org.gproc.client.internal.elf

import spock.lang.Shared
import spock.lang.Specification
import spock.lang.TempDir

import java.nio.file.Files
import java.nio.file.Path

/** Library closures of programs the real linker made, compared with what the real loader resolves. */
class LibraryClosureSpec extends Specification {
    @Shared @TempDir Path dir

    private LibraryClosure.SearchPath search(String ldLibraryPath = null) {
        def elf = ElfFile.read(Path.of('/bin/true'))
        new LibraryClosure.SearchPath(ldLibraryPath, LdSoCache.read(Path.of('/etc/ld.so.cache')), '/etc/ld.so.cache',
                LibraryClosure.SearchPath.defaultDirs(elf))
    }

    def "a program's closure follows its RUNPATH with \$ORIGIN and the cache, as the loader's --list does"() {
        given:
        Path app = Files.createDirectories(dir.resolve('app'))
        Path libs = Files.createDirectories(app.resolve('lib'))
        Cc.build(libs, 'libanswer.so.1', Cc.LIBRARY, ['-shared', '-fPIC', '-Wl,-soname,libanswer.so.1'])
        Path program = Cc.build(app, 'prog', Cc.PROGRAM, ['-L' + libs, '-l:libanswer.so.1', '-Wl,-rpath,$ORIGIN/lib'])
        def loader = loaderList(program)

        when:
        def closure = LibraryClosure.of(program, ElfFile.read(program), search())

        then:
        closure.interpreter() == Path.of('/lib64/ld-linux-x86-64.so.2')
        closure.libraries()*.name() == ['libanswer.so.1', 'libc.so.6']
        closure.libraries().collectEntries { [it.name(), it.path().toRealPath()] } == loader
        closure.files().first() == program
    }

    def "LD_LIBRARY_PATH is searched before the cache"() {
        given:
        Path other = Files.createDirectories(dir.resolve('ldpath'))
        Cc.build(other, 'libanswer.so.1', Cc.LIBRARY, ['-shared', '-fPIC', '-Wl,-soname,libanswer.so.1'])
        Path program = Cc.build(other, 'prog2', Cc.PROGRAM, ['-L' + other, '-l:libanswer.so.1'])

        when:
        def closure = LibraryClosure.of(program, ElfFile.read(program), search(other.toString()))

        then:
        closure.libraries().find { it.name() == 'libanswer.so.1' }.path() == other.resolve('libanswer.so.1')
    }

    def "a library that is nowhere on the control node fails naming it, who needs it and where it was looked for"() {
        given:
        Path gone = Files.createDirectories(dir.resolve('gone'))
        Cc.build(gone, 'libgone.so.1', Cc.LIBRARY, ['-shared', '-fPIC', '-Wl,-soname,libgone.so.1'])
        Path program = Cc.build(gone, 'prog3', Cc.PROGRAM.replace('gproc_answer', 'gproc_answer'),
                ['-L' + gone, '-l:libgone.so.1', '-Wl,-rpath,$ORIGIN/missing'])
        Files.delete(gone.resolve('libgone.so.1'))

        when:
        LibraryClosure.of(program, ElfFile.read(program), search())

        then:
        def e = thrown(IOException)
        e.message.startsWith("libgone.so.1 (needed by ${program.toRealPath()}) is not on the control node: searched" +
                " DT_RUNPATH of ${program.toRealPath()} (${gone.toRealPath()}/missing), /etc/ld.so.cache, /lib/x86_64-linux-gnu")
    }

    def "\$LIB and \$PLATFORM in a RUNPATH are expanded as the control node's loader expands them"() {
        given: "the library where this machine's loader looks for \$ORIGIN/\$LIB and \$ORIGIN/p/\$PLATFORM"
        Path app = Files.createDirectories(dir.resolve('tokens'))
        Cc.build(app, 'libanswer.so.1', Cc.LIBRARY, ['-shared', '-fPIC', '-Wl,-soname,libanswer.so.1'])
        Path program = Cc.build(app, 'prog', Cc.PROGRAM, ['-L' + app, '-l:libanswer.so.1',
                                                          '-Wl,-rpath,$ORIGIN/$LIB:$ORIGIN/p/${PLATFORM}'])
        def tokens = DynamicTokens.probing(Path.of('/lib64/ld-linux-x86-64.so.2'), program)
        Path libDir = Path.of(tokens.expand('$ORIGIN/$LIB', app))
        Path platformDir = Path.of(tokens.expand('$ORIGIN/p/$PLATFORM', app))
        Files.createDirectories(libDir)
        Files.createDirectories(platformDir)
        Files.move(app.resolve('libanswer.so.1'), platformDir.resolve('libanswer.so.1'))

        when:
        def closure = LibraryClosure.of(program, ElfFile.read(program), search())

        then: 'the same file the real loader loads, from the expanded directory'
        libDir != app.resolve('$LIB') && platformDir != app.resolve('p/$PLATFORM')
        closure.libraries().find { it.name() == 'libanswer.so.1' }.path().toRealPath() ==
                platformDir.resolve('libanswer.so.1').toRealPath()
        closure.libraries().collectEntries { [it.name(), it.path().toRealPath()] } == loaderList(program)
    }

    def "a token glibc does not know is left as written, so the directory of that literal name is searched, as glibc does"() {
        given:
        Path app = Files.createDirectories(dir.resolve('unknown'))
        Path literal = Files.createDirectories(app.resolve('$NOSUCH'))
        Cc.build(literal, 'libanswer.so.1', Cc.LIBRARY, ['-shared', '-fPIC', '-Wl,-soname,libanswer.so.1'])
        Path program = Cc.build(app, 'prog', Cc.PROGRAM, ['-L' + literal, '-l:libanswer.so.1',
                                                          '-Wl,-rpath,$ORIGIN/$NOSUCH'])

        when:
        def closure = LibraryClosure.of(program, ElfFile.read(program), search())

        then:
        closure.libraries().find { it.name() == 'libanswer.so.1' }.path() == literal.toRealPath().resolve('libanswer.so.1')
        closure.libraries().collectEntries { [it.name(), it.path().toRealPath()] } == loaderList(program)
    }

    def "a statically linked program has no closure"() {
        given:
        Path program = Cc.build(dir, 'static', 'int main(void) { return 0; }\n', ['-static'])

        when:
        def closure = LibraryClosure.of(program, ElfFile.read(program), search())

        then:
        closure.interpreter() == null
        closure.libraries().empty
    }

    /** soname to real path, as the real loader resolves them ({@code ld.so --list}). */
    private static Map<String, Path> loaderList(Path program) {
        def out = ['/lib64/ld-linux-x86-64.so.2', '--list', program.toString()].execute().text
        out.readLines().findAll { it.contains(' => ') }.collectEntries {
            def m = it.trim() =~ /^(\S+) => (\S+)/
            m.find()
            [m.group(1), Path.of(m.group(2)).toRealPath()]
        }
    }
}
