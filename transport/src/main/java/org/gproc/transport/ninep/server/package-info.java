/**
 * The 9P server core: one fid table per connection, protocol checks before any file-tree code, dispatch to a
 * {@link org.gproc.transport.ninep.server.FileTree}, requests answered later (parked reads, proxied files) without
 * holding a thread and kept in order per fid, Tflush as the manual says.
 * Trust model: the principal passed to {@link org.gproc.transport.ninep.server.FileTree#attach} comes from the
 * transport's authentication, never from Tattach's uname, except on a connection authenticated as a relay the
 * server was told to trust ({@link org.gproc.transport.ninep.server.NinePServer#trustRelays}), whose uname names
 * the user it acts for.
 */
package org.gproc.transport.ninep.server;
