package org.gproc.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.management.HotSpotDiagnosticMXBean;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.lang.management.ManagementFactory;
import java.security.GeneralSecurityException;

/**
 * Gets the JVM's AES-GCM onto its CPU instructions (AES-NI, carry-less multiply) before the first push arrives.
 * HotSpot uses them only in C2-compiled callers, and C2 compiles a method after some thousands of calls; SSH
 * decrypts one call per packet (32 KiB), so a node that receives a few 16 MB blobs makes too few calls and decrypts
 * all of them in the plain-Java code, measured at 4-13 MB/s against 3-4 GB/s once compiled (on the 2-core
 * development machine, whose 32 daemons spent most of a tree push there). So at start, on one low-priority daemon
 * thread, the daemon encrypts and decrypts some thousands of small buffers under a throwaway key: about a second
 * of one core, once per daemon, never on a connection's thread. Nothing here touches a real key or real data.
 */
final class CipherWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(CipherWarmup.class);
    /** Calls of each direction; C2 had compiled the callers by 6,000 in measurements, so this leaves a margin. */
    static final int CALLS = 12_000;
    private static final int SIZE = 1024;

    private CipherWarmup() {
    }

    /** Starts the warm-up in the background; returns at once. */
    static void start() {
        Thread t = new Thread(CipherWarmup::run, "gprocd-cipher-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    static void run() {
        if (!optimizingCompilerOn()) {
            LOG.debug("AES-GCM warm-up skipped: the JVM runs without C2, whose compiled code alone uses the intrinsics");
            return;
        }
        try {
            long t0 = System.nanoTime();
            SecretKeySpec key = new SecretKeySpec(new byte[16], "AES");
            Cipher encrypt = Cipher.getInstance("AES/GCM/NoPadding");
            Cipher decrypt = Cipher.getInstance("AES/GCM/NoPadding");
            byte[] iv = new byte[12];
            byte[] aad = new byte[4];
            byte[] plain = new byte[SIZE];
            byte[] sealed = new byte[SIZE + 16];
            byte[] opened = new byte[SIZE];
            for (int i = 0; i < CALLS; i++) {
                iv[8] = (byte) i;
                iv[9] = (byte) (i >>> 8);
                iv[10] = (byte) (i >>> 16);
                GCMParameterSpec spec = new GCMParameterSpec(128, iv);
                encrypt.init(Cipher.ENCRYPT_MODE, key, spec);
                encrypt.updateAAD(aad);
                encrypt.doFinal(plain, 0, SIZE, sealed, 0);
                decrypt.init(Cipher.DECRYPT_MODE, key, spec);
                decrypt.updateAAD(aad);
                decrypt.doFinal(sealed, 0, SIZE + 16, opened, 0);
            }
            LOG.debug("AES-GCM warmed up in {} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.debug("AES-GCM warm-up skipped: {}", e.toString()); // only ever slower, never wrong
        }
    }

    /**
     * False when the JVM was told to stop at C1 (-XX:TieredStopAtLevel below 4, as short-lived test and bench
     * daemons are) or runs interpreted: then the warm-up would spend its second for nothing.
     */
    static boolean optimizingCompilerOn() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return vm == null || (Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue()) >= 4
                    && !"false".equals(vm.getVMOption("UseCompiler").getValue()));
        } catch (RuntimeException e) {
            return true; // not a HotSpot JVM, or the option is gone: warm up as before
        }
    }
}
