package org.gproc.transport.ssh;

import java.util.List;
import java.util.function.Function;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.compression.BuiltinCompressions;
import org.apache.sshd.common.compression.Compression;
import org.apache.sshd.common.helpers.AbstractFactoryManager;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.mac.Mac;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.common.util.security.eddsa.bouncycastle.BouncyCastleEdDSASupport;

/**
 * The algorithms both ends offer, and nothing else. Key exchange: ML-KEM-768 + X25519 hybrid and plain X25519
 * (sntrup761 is left out: it costs ~70 ms per connect on the reference machine). Ciphers: AES-GCM first (AES-NI makes
 * it the fastest here), ChaCha20-Poly1305 for peers without AES hardware. The MAC list only matters to a peer that
 * insists on negotiating one next to an AEAD cipher; AEAD ciphers never use it. Host and user keys: Ed25519 only,
 * plain or as an OpenSSH certificate ({@code ssh-ed25519-cert-v01@openssh.com}); the plain type comes first, so a
 * client negotiates a host certificate only when it asks for one first, and a server offers one only when it has a
 * host certificate. No compression.
 */
public final class CryptoPolicy {

    public static final List<BuiltinDHFactories> KEY_EXCHANGES = List.of(
            BuiltinDHFactories.mlkem768x25519, BuiltinDHFactories.curve25519, BuiltinDHFactories.curve25519_libssh);

    public static final List<BuiltinCiphers> CIPHERS = List.of(
            BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm, BuiltinCiphers.cc20p1305_openssh);

    public static final List<BuiltinMacs> MACS = List.of(BuiltinMacs.hmacsha256etm, BuiltinMacs.hmacsha512etm);

    public static final List<BuiltinSignatures> SIGNATURES = List.of(BuiltinSignatures.ed25519,
            BuiltinSignatures.ed25519_cert);

    public static final String KEY_TYPE = "ssh-ed25519";

    /** The Security provider registrar of SSHD that would bring in net.i2p's EdDSA; we insist on BouncyCastle's. */
    private static final String I2P_EDDSA_REGISTRAR = "EdDSA";

    static {
        SecurityUtils.setAPrioriDisabledProvider(I2P_EDDSA_REGISTRAR, true);
    }

    private CryptoPolicy() {
    }

    /**
     * Fails unless SSHD's Ed25519 support is BouncyCastle's. Called before any key is read or any peer is met, so a
     * class path that smuggles net.i2p eddsa back in (or lacks bcprov) stops the process with a clear message
     * instead of silently changing the crypto provider.
     */
    public static void requireBouncyCastleEd25519() {
        Object support = SecurityUtils.getEdDSASupport().orElse(null);
        if (!(support instanceof BouncyCastleEdDSASupport) || SecurityUtils.isNetI2pCryptoEdDSARegistered()) {
            throw new IllegalStateException("crypto policy: Ed25519 must come from BouncyCastle, but SSHD uses "
                    + (support == null ? "no Ed25519 provider" : support.getClass().getName())
                    + (SecurityUtils.isNetI2pCryptoEdDSARegistered() ? " (net.i2p eddsa is registered)" : "")
                    + "; put bcprov-jdk18on on the class path and keep net.i2p.crypto:eddsa off it");
        }
        for (BuiltinDHFactories kex : KEY_EXCHANGES) {
            if (!kex.isSupported()) {
                throw new IllegalStateException("crypto policy: key exchange " + kex.getName()
                        + " is not supported by the security providers on this JVM");
            }
        }
    }

    /** Replaces every algorithm list of {@code manager} with ours; {@code dh2kex} is the server or client variant. */
    static void apply(AbstractFactoryManager manager, Function<DHFactory, KeyExchangeFactory> dh2kex) {
        requireBouncyCastleEd25519();
        manager.setKeyExchangeFactories(KEY_EXCHANGES.stream().map(dh2kex).toList());
        manager.setCipherFactories(List.<NamedFactory<Cipher>>copyOf(CIPHERS));
        manager.setMacFactories(List.<NamedFactory<Mac>>copyOf(MACS));
        manager.setSignatureFactories(List.<NamedFactory<Signature>>copyOf(SIGNATURES));
        manager.setCompressionFactories(List.<NamedFactory<Compression>>of(BuiltinCompressions.none));
    }
}
