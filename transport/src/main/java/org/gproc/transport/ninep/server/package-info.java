/**
 * The 9P server core: one fid table per connection, protocol checks before any file-tree code, dispatch to a
 * {@link org.gproc.transport.ninep.server.FileTree}, parked reads that hold no thread, Tflush as the manual says.
 * Trust model: the principal passed to {@link org.gproc.transport.ninep.server.FileTree#attach} comes from the
 * transport's authentication, never from Tattach's uname.
 */
package org.gproc.transport.ninep.server;
