package org.gproc.transport.ssh

import org.gproc.transport.ninep.Codec
import org.gproc.transport.ninep.FrameChannel
import org.gproc.transport.ninep.Message

import java.nio.ByteBuffer
import java.util.concurrent.BlockingQueue
import java.util.concurrent.CompletableFuture
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/** A client-side listener for specs: decodes every frame and lets the spec wait for frames and for the close. */
class Collector implements FrameChannel.Listener {
    final BlockingQueue<Message> frames = new LinkedBlockingQueue<>()
    final CompletableFuture<Object> closed = new CompletableFuture<>()

    @Override
    void onFrame(ByteBuffer frame) {
        frames.add(Codec.decode(frame, EchoNineP.MSIZE))
    }

    @Override
    void onClose(Throwable cause) {
        closed.complete(cause ?: 'orderly')
    }

    Message next(long seconds = 60) {
        Message m = frames.poll(seconds, TimeUnit.SECONDS)
        assert m != null: "no frame within ${seconds}s"
        m
    }

    Object awaitClose(long seconds = 60) {
        closed.get(seconds, TimeUnit.SECONDS)
    }
}
