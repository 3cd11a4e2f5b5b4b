package io.ringraft.net.netty;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed test certificates made at test time with the JDK's {@code keytool} (no BouncyCastle,
 * nothing downloaded): EC P-256 keys, valid two days, naming {@code localhost} and {@code 127.0.0.1}.
 */
final class TestCertificates {

    static final char[] PASSWORD = "changeit".toCharArray();

    private TestCertificates() {
    }

    /** Generates one key store per alias, in parallel; returns their paths in order. */
    static List<Path> generate(Path directory, String... aliases) throws IOException, InterruptedException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<Process> processes = new ArrayList<>();
        List<Path> stores = new ArrayList<>();
        for (String alias : aliases) {
            Path store = directory.resolve(alias + ".p12");
            stores.add(store);
            processes.add(new ProcessBuilder(keytool, "-genkeypair", "-alias", alias, "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=" + alias, "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass", new String(PASSWORD)).redirectErrorStream(true).start());
        }
        for (int i = 0; i < processes.size(); i++) {
            Process process = processes.get(i);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool failed for " + aliases[i] + ": "
                        + new String(process.getInputStream().readAllBytes()));
            }
        }
        return stores;
    }

    /** A trust manager that trusts exactly the certificate in {@code keyStore}. */
    static TrustManagerFactory trusting(Path keyStore, String alias) throws IOException, GeneralSecurityException {
        KeyStore source = KeyStore.getInstance(keyStore.toFile(), PASSWORD);
        Certificate certificate = source.getCertificate(alias);
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry(alias, certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        return factory;
    }
}
