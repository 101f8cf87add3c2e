/**
 * {@code gprocd --relay}: a node that serves, beside its own tree, the trees of the children written to its
 * {@code n/ctl} (Plan 9's {@code import}), forwarding 9P over one SSH connection per child, and feeding each child
 * the blobs it links from the relay's own cache, once, while they still arrive.
 *
 * <p>Trust model. The relay logs in to a child with its own host key (or a user certificate of it) and accepts
 * only a child that proves the KEYSPEC of its child line, checked strictly by the client's known_hosts code. It
 * attaches on a child once per user principal, with uname = the principal that authenticated at the relay, never a
 * name a client sent; the child honours that uname only when it was started with {@code --trusted-relay} naming
 * the relay's principal, and otherwise gives the relay its own rights only. {@code --relay-for} limits where a
 * child line may point; whatever the targets, only SSH carrying 9P goes out, never a byte stream.
 */
package org.gproc.daemon.relay;
