package org.gproc.transport.ninep

import java.nio.ByteBuffer
import java.util.regex.Pattern

/**
 * Golden frames written field by field: {@code 'size=13000000 type=64 tag=ffff version=0600"9P2000"'}.
 * Each token is {@code label=value}; a value is hex byte pairs and "quoted text" (UTF-8) run together.
 * Labels are for the reader only.
 */
class Wire {
    private static final Pattern TOKEN = ~/\s*([A-Za-z][\w.\[\]]*)=((?:[0-9a-f]{2}|"[^"]*")+)\s*/
    private static final Pattern PART = ~/[0-9a-f]{2}|"[^"]*"/

    static byte[] bytes(String fields) {
        def out = new ByteArrayOutputStream()
        def m = TOKEN.matcher(fields)
        int at = 0
        while (at < fields.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("bad golden field at ${at}: '${fields.substring(at)}'")
            }
            def p = PART.matcher(m.group(2))
            while (p.find()) {
                def part = p.group()
                out.write(part.startsWith('"') ? part[1..-2].getBytes('UTF-8') : [Integer.parseInt(part, 16)] as byte[])
            }
            at = m.end()
        }
        out.toByteArray()
    }

    static ByteBuffer buffer(String fields) {
        ByteBuffer.wrap(bytes(fields))
    }

    static String hex(ByteBuffer b) {
        def copy = new byte[b.remaining()]
        b.duplicate().get(copy)
        copy.encodeHex().toString()
    }

    static String hex(byte[] b) {
        b.encodeHex().toString()
    }
}
