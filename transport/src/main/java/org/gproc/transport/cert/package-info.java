/**
 * A small cluster certificate authority and the checks that decide whether a presented OpenSSH certificate
 * identifies someone, in OpenSSH formats so {@code ssh-keygen} interoperates both ways.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>{@link org.gproc.transport.cert.CertificateAuthority}: {@code init} writes an Ed25519 CA key (OpenSSH format,
 *     mode 0600) and its {@code .pub}; {@code signUser}/{@code signHost} issue certificates and can write them as
 *     {@code KEY-cert.pub} files, as {@code ssh-keygen -s} does.</li>
 * <li>{@link org.gproc.transport.cert.CertificateChecks}: given the trusted CA keys, a revocation list and a clock,
 *     accepts a presented user certificate and names the principal it authenticates, or refuses it with a
 *     {@link org.gproc.transport.cert.CertificateRefusedException} naming the certificate (key id, serial) and the
 *     rule it broke. The same for host certificates and the host name a client connected to.</li>
 * <li>{@link org.gproc.transport.cert.RevocationList}: keys, fingerprints, certificate serials and key ids that are
 *     refused even though a trusted CA signed them; re-read whenever the file changes.</li>
 * </ul>
 *
 * <h2>Trust model</h2>
 * A presented certificate is hostile until every check has passed: it is only a claim until its signature
 * verifies under a CA key the operator listed, and only Ed25519 keys and CAs are accepted (as everywhere in gproc).
 * The identity is a principal the certificate holds: the first, or one the caller explicitly asks for and the
 * certificate lists. The SSH user name a client sends plays no part. A certificate without principals (which
 * OpenSSH would accept for any user) is refused, and so is any critical option, because gprocd honours none of
 * them ({@code force-command}, {@code verify-required}, {@code source-address}, or one not yet defined); extensions
 * are ignored, as their definition allows. A revocation list that cannot be read refuses every certificate until
 * it is fixed (fail closed, as OpenSSH's RevokedKeys does).
 */
package org.gproc.transport.cert;
