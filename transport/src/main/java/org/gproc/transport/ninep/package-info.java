/**
 * 9P2000 as in Plan 9's section 5 manual: immutable message records ({@link org.gproc.transport.ninep.Message}),
 * the codec and framing, and the multiplexing client. Trust model: every byte from the peer is hostile until the
 * decoder has checked it against the frame and the negotiated msize; nothing is allocated at a size the peer
 * declared before that size is checked.
 */
package org.gproc.transport.ninep;
