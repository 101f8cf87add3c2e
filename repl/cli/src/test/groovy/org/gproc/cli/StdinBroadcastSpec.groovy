package org.gproc.cli

import spock.lang.Specification
import spock.lang.Timeout
import spock.util.concurrent.PollingConditions

/** The broadcast of the client's standard input: every reader gets all of it, and memory stays within the window. */
@Timeout(60)
class StdinBroadcastSpec extends Specification {
    static final int CHUNK = 65536

    /** An endless input that counts what was taken from it. */
    static class Endless extends InputStream {
        volatile long taken

        @Override
        int read() {
            taken++
            return 'y' as char
        }

        @Override
        int read(byte[] b, int off, int len) {
            Arrays.fill(b, off, off + len, (byte) 'y')
            taken += len
            return len
        }
    }

    def "a reader that does not read holds an endless input back to the window, and frees it once closed"() {
        given:
        def input = new Endless()
        def broadcast = new StdinBroadcast(input, 2, true)
        def slow = broadcast.reader()
        def fast = broadcast.reader()
        byte[] buffer = new byte[CHUNK]
        def read = new java.util.concurrent.atomic.AtomicLong()

        when: 'the fast reader reads twice the window while the slow one reads nothing'
        def reading = Thread.start {
            while (read.get() < 2L * StdinBroadcast.WINDOW) {
                read.addAndGet(fast.read(buffer, 0, buffer.length))
            }
        }
        new PollingConditions(timeout: 10).eventually {
            assert read.get() >= StdinBroadcast.WINDOW
        }

        then: 'it got the window and the reading thread waits, holding no more than the window and one chunk'
        read.get() == StdinBroadcast.WINDOW
        reading.alive
        broadcast.held() <= StdinBroadcast.WINDOW + CHUNK
        input.taken <= StdinBroadcast.WINDOW + 2 * CHUNK

        when: 'the slow reader ends (its process has exited)'
        slow.close()
        reading.join(20000)

        then: 'the fast one goes on, and what it read is released'
        read.get() >= 2L * StdinBroadcast.WINDOW
        broadcast.held() <= StdinBroadcast.WINDOW + CHUNK
        slow.read(buffer, 0, 1) == -1

        cleanup:
        broadcast?.close()
    }

    def "every reader gets the whole input from its first byte and then EOF, also one made after the input ended"() {
        given:
        byte[] data = new byte[3 * CHUNK + 17]
        new Random(7).nextBytes(data)
        def broadcast = new StdinBroadcast(new ByteArrayInputStream(data), 2, false)

        when:
        byte[] first = broadcast.reader().readAllBytes()
        byte[] late = broadcast.reader().readAllBytes()

        then:
        first == data
        late == data
    }

    def "with readers still to come, nothing they need is released"() {
        given:
        byte[] data = new byte[2 * CHUNK]
        new Random(8).nextBytes(data)
        def broadcast = new StdinBroadcast(new ByteArrayInputStream(data), 3, true)

        when: 'one reader of three reads everything and closes'
        def one = broadcast.reader()
        one.readAllBytes()
        one.close()

        then: 'the two made later still read it all'
        broadcast.reader().readAllBytes() == data
        broadcast.reader().readAllBytes() == data
    }

    def "a failing input is an error for the readers, in words"() {
        given:
        def broken = new InputStream() {
            @Override
            int read() { throw new IOException('Input/output error') }

            @Override
            int read(byte[] b, int off, int len) { throw new IOException('Input/output error') }
        }
        def broadcast = new StdinBroadcast(broken, 1, true)

        when:
        broadcast.reader().readAllBytes()

        then:
        IOException e = thrown()
        e.message == "reading the client's standard input: Input/output error"
    }
}
