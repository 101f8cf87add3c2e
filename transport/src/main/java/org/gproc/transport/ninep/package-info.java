/**
 * 9P2000 as in Plan 9's section 5 manual: immutable message records ({@link org.gproc.transport.ninep.Message}),
 * the codec and framing, and the multiplexing client. Trust model: every byte from the peer is hostile until the
 * decoder has checked it against the frame and the negotiated msize; nothing is allocated at a size the peer
 * declared before that size is checked.
 *
 * <h2>Layers</h2>
 * <ul>
 *   <li>{@link org.gproc.transport.ninep.FrameReader}: a byte stream (SSH channel data, in arbitrary chunks) to
 *       whole frames. Rejects a size below 7 or above msize from the 4 header bytes, before buffering any body.</li>
 *   <li>{@link org.gproc.transport.ninep.Codec}: {@code encode(Message)} gives one whole frame in an exactly sized
 *       buffer; {@code decode(ByteBuffer, msize)} gives the record back or a
 *       {@link org.gproc.transport.ninep.NinePException} naming the message, field and rule. Helpers for directory
 *       reads: {@code statSize}, {@code encodeStat} (one entry, size[2] included) and {@code decodeStats}.</li>
 *   <li>{@link org.gproc.transport.ninep.FrameChannel}: a duplex pipe of frames; the SSH glue implements it, and
 *       {@link org.gproc.transport.ninep.FramePipe} is an in-process pair for tests of the client and server.</li>
 *   <li>{@link org.gproc.transport.ninep.NinePClient}: requests multiplexed by tag over one channel, an async API
 *       (futures complete on the channel's receiving thread: callbacks must not block), pipelined
 *       {@code writeAll}/{@code readAll}, and {@link org.gproc.transport.ninep.BlockingNinePClient} for ordinary
 *       threads. The client trusts the server no more than the server trusts it: an undecodable frame or a reply to
 *       a tag with no request in flight closes the connection and fails everything outstanding.</li>
 * </ul>
 *
 * <h2>What the decoder rejects</h2>
 * A frame whose size field is below 7, above msize, or different from the bytes given; Terror (106) and any type
 * outside 100..127; a field, string or count running past the frame; more than 16 walk names or qids; a stat whose
 * n[2] is not its size+2 or whose fields do not fill exactly its size; strings that are not UTF-8 or hold NUL
 * (intro(5)); trailing bytes after the last field. The decoder never throws halfway through a field: the first
 * broken rule is recorded and the frame fails once.
 */
package org.gproc.transport.ninep;
