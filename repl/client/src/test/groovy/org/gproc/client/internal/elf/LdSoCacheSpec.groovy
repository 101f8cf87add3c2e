package org.gproc.client.internal.elf

import spock.lang.Requires
import spock.lang.Specification

import java.nio.file.Files
import java.nio.file.Path

/** glibc's ld.so.cache as ldconfig wrote it on this machine, checked against ldconfig's own listing. */
@Requires({ Files.isReadable(Path.of('/etc/ld.so.cache')) })
class LdSoCacheSpec extends Specification {

    def "every library ldconfig -p lists is found in the cache at the path it shows"() {
        given: 'lines such as "libc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6"'
        def listing = ['ldconfig', '-p'].execute().text.readLines().findAll { it.contains(' => ') }.collect {
            def m = it =~ /^\s*(\S+) \(.*\) => (\S+)$/
            m.find() ? [m.group(1), m.group(2)] : null
        }.findAll()

        when:
        def cache = LdSoCache.read(Path.of('/etc/ld.so.cache'))

        then:
        !listing.empty
        cache.size() == listing.size()
        listing.every { name, path -> cache.lookup(name).contains(path) }
        cache.lookup('libc.so.6').first().endsWith('/libc.so.6')
    }

    def "a cache cut short or with a lying entry count fails naming the file"() {
        given:
        byte[] whole = Files.readAllBytes(Path.of('/etc/ld.so.cache'))
        byte[] data = Arrays.copyOf(whole, length)
        if (count) {
            data[20] = (byte) 0xff; data[21] = (byte) 0xff; data[22] = (byte) 0xff; data[23] = (byte) 0x0f
        }

        when:
        LdSoCache.parse('broken.cache', data)

        then:
        def e = thrown(ElfFormatException)
        e.message.startsWith('broken.cache: not a valid ld.so.cache: ')
        e.message.contains(problem)

        where:
        length | count | problem
        10     | false | 'no glibc-ld.so.cache1.1 header'
        30     | false | 'header cut short'
        4096   | true  | 'entries do not fit in the file'
    }

    def "a missing cache is empty, as the loader takes it"() {
        expect:
        LdSoCache.read(Path.of('/nonexistent/ld.so.cache')).size() == 0
    }
}
