package org.gproc.transport.ssh

import org.gproc.transport.ninep.Codec
import org.gproc.transport.ninep.FrameChannel
import org.gproc.transport.ninep.Message

import java.nio.ByteBuffer
import java.util.concurrent.CopyOnWriteArrayList

/**
 * A tiny 9P responder for SSH specs: Tversion gets Rversion, Twrite gets Rwrite(count), anything else an Rerror.
 * It records every connection it serves and how each one ended.
 */
class EchoNineP implements SubsystemHandler {

    static final int MSIZE = 1 << 20

    final List<ConnectionInfo> opened = new CopyOnWriteArrayList<>()
    final List<Object> closes = new CopyOnWriteArrayList<>()   // the cause, or 'orderly'
    final List<FrameChannel> channels = new CopyOnWriteArrayList<>()
    volatile long bytesWritten

    @Override
    void open(ConnectionInfo info, FrameChannel channel) {
        opened << info
        channels << channel
        channel.start(new FrameChannel.Listener() {
            @Override
            void onFrame(ByteBuffer frame) {
                Message m = Codec.decode(frame, MSIZE)
                channel.send(Codec.encode(answer(m)))
            }

            @Override
            void onClose(Throwable cause) {
                closes << (cause ?: 'orderly')
            }
        })
    }

    private Message answer(Message m) {
        switch (m) {
            case Message.Tversion: return new Message.Rversion(m.tag(), Math.min(m.msize(), MSIZE), '9P2000')
            case Message.Twrite:
                bytesWritten += m.data().length
                return new Message.Rwrite(m.tag(), m.data().length)
            default: return new Message.Rerror(m.tag(), "echo: ${m.class.simpleName} not served")
        }
    }

    static byte[] bytes(Message m) {
        ByteBuffer b = Codec.encode(m)
        byte[] out = new byte[b.remaining()]
        b.get(out)
        out
    }

    static List<Message> decodeAll(byte[] stream) {
        ByteBuffer in = ByteBuffer.wrap(stream).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        List<Message> out = []
        while (in.remaining() >= 4) {
            int size = in.getInt(in.position())
            ByteBuffer frame = in.slice(in.position(), size).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            out << Codec.decode(frame, MSIZE)
            in.position(in.position() + size)
        }
        assert !in.hasRemaining(): "trailing ${in.remaining()} bytes"
        out
    }
}
