/**
 * The SSH glue on Apache MINA SSHD: a node server that offers exactly one subsystem ({@code xcpu@gproc}) carrying
 * 9P2000 frames, a client connector that opens that subsystem, and the OpenSSH key formats both ends need.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>{@link org.gproc.transport.ssh.SshNodeServer} binds one or many addresses on one shared acceptor and thread
 *     pool and hands every {@code xcpu@gproc} channel to a {@link org.gproc.transport.ssh.SubsystemHandler} as a
 *     {@link org.gproc.transport.ninep.FrameChannel}, together with a {@link org.gproc.transport.ssh.ConnectionInfo}
 *     naming the authenticated principal.</li>
 * <li>{@link org.gproc.transport.ssh.SshConnector} shares one SSH client (and its threads) across any number of
 *     connections and returns a {@link org.gproc.transport.ssh.SshFrameChannel} per node.</li>
 * <li>{@link org.gproc.transport.ssh.Keys}, {@link org.gproc.transport.ssh.KnownHosts} and
 *     {@link org.gproc.transport.ssh.AuthorizedKeys} read and write the OpenSSH formats, so {@code ssh-keygen}
 *     interoperates.</li>
 * </ul>
 *
 * <h2>Trust model</h2>
 * Everything that arrives before authentication is hostile; after it, the peer is a known principal but still not
 * trusted with anything except the 9P subsystem. The server refuses shell, exec, pty, env, every other subsystem
 * (sftp included), all TCP and stream-local forwarding, agent and X11 forwarding, and every user authentication
 * method except public key. The identity handed to the file tree is the principal from the matching
 * authorized_keys entry (its comment) or, for an OpenSSH user certificate signed by a trusted user CA, one of the
 * certificate's principals (the requested user name only selects among them), never the SSH user name the client
 * asked for. Certificates are checked by {@link org.gproc.transport.cert.CertificateChecks}, not by SSHD's
 * authorized_keys {@code cert-authority} path; a revocation file refuses keys, serials and key ids; a connection
 * ends when its certificate does. Before authentication a connection is hostile and cheap to drop: at most
 * {@code maxUnauthenticated} per port, six attempts, an auth timeout. The client trusts a node only
 * when its host key is in the known_hosts file it was given, when it presents a host certificate that a CA named by
 * an {@code @cert-authority} line for it signed for the name the client connected to (and no {@code @revoked} line
 * lists the key or the CA), or when the caller explicitly chose
 * {@link org.gproc.transport.ssh.HostKeyPolicy#ACCEPT_NEW} for a host that has no entry yet and no CA line; it
 * presents its user certificate ({@code IDENTITY-cert.pub}) before its plain key; it never reads
 * {@code ~/.ssh}, never uses an agent and never sends a password. Algorithms are pinned by
 * {@link org.gproc.transport.ssh.CryptoPolicy}; Ed25519 is provided by BouncyCastle (the net.i2p eddsa provider
 * is refused).
 */
package org.gproc.transport.ssh;
