package io.ringraft.net.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS settings of a {@link NettyTransport}: this node's key and certificate, the certificates it
 * trusts, and whether peers must present a certificate (mutual TLS, the default). The same
 * material serves both directions: a node presents its certificate when it accepts and when it
 * connects, and checks the peer's against its trust material either way.
 *
 * <p>Key material: a {@link KeyManagerFactory}, a key store file (PKCS#12 or JKS), or PEM files
 * (certificate chain and unencrypted PKCS#8 private key). Trust material: a
 * {@link TrustManagerFactory}, a trust store file, or a PEM file of certificates. Uses the JDK's
 * TLS implementation; TLS 1.3 and 1.2 by default. Immutable.
 */
public final class TlsOptions {

    private final KeyManagerFactory keyManager;
    private final File pemCertificateChain;
    private final File pemPrivateKey;
    private final TrustManagerFactory trustManager;
    private final File pemTrust;
    private final boolean mutualAuth;
    private final boolean hostnameVerification;
    private final List<String> protocols;

    private TlsOptions(Builder b) {
        this.keyManager = b.keyManager;
        this.pemCertificateChain = b.pemCertificateChain;
        this.pemPrivateKey = b.pemPrivateKey;
        this.trustManager = b.trustManager;
        this.pemTrust = b.pemTrust;
        this.mutualAuth = b.mutualAuth;
        this.hostnameVerification = b.hostnameVerification;
        this.protocols = b.protocols;
    }

    /**
     * A builder; key material and trust material are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return whether accepted connections must present a trusted certificate} */
    public boolean mutualAuth() {
        return mutualAuth;
    }

    /** {@return whether a connecting node checks that the peer's certificate names the host it dials} */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /** The context for accepted connections. */
    SslContext serverContext() throws SSLException {
        SslContextBuilder builder = keyManager != null
                ? SslContextBuilder.forServer(keyManager)
                : SslContextBuilder.forServer(pemCertificateChain, pemPrivateKey);
        trust(builder);
        return builder.clientAuth(mutualAuth ? ClientAuth.REQUIRE : ClientAuth.NONE)
                .sslProvider(SslProvider.JDK).protocols(protocols).build();
    }

    /**
     * The context for outgoing connections (also used by {@code RaftClient}'s Netty transport).
     *
     * @return a new client context with these keys and trust
     * @throws SSLException if the keys or certificates cannot be loaded
     */
    public SslContext clientContext() throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (keyManager != null) {
            builder.keyManager(keyManager);
        } else {
            builder.keyManager(pemCertificateChain, pemPrivateKey);
        }
        trust(builder);
        return builder.endpointIdentificationAlgorithm(hostnameVerification ? "HTTPS" : null)
                .sslProvider(SslProvider.JDK).protocols(protocols).build();
    }

    private void trust(SslContextBuilder builder) {
        if (trustManager != null) {
            builder.trustManager(trustManager);
        } else {
            builder.trustManager(pemTrust);
        }
    }

    /** Builds {@link TlsOptions}. Not thread-safe. */
    public static final class Builder {
        private KeyManagerFactory keyManager;
        private File pemCertificateChain;
        private File pemPrivateKey;
        private TrustManagerFactory trustManager;
        private File pemTrust;
        private boolean mutualAuth = true;
        private boolean hostnameVerification = true;
        private List<String> protocols = List.of("TLSv1.3", "TLSv1.2");

        private Builder() {
        }

        /**
         * This node's key and certificate chain.
         *
         * @param keyManager the key manager factory holding this node's key
         * @return this builder
         */
        public Builder keyManager(KeyManagerFactory keyManager) {
            this.keyManager = Objects.requireNonNull(keyManager, "keyManager");
            this.pemCertificateChain = null;
            this.pemPrivateKey = null;
            return this;
        }

        /**
         * This node's key and certificate chain from a key store file (PKCS#12 or JKS, detected);
         * {@code password} protects both the store and the key.
         *
         * @param file the key store
         * @param password the password of the store and of the key
         * @return this builder
         */
        public Builder keyStore(Path file, char[] password) {
            try {
                KeyStore store = KeyStore.getInstance(file.toFile(), password);
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(store, password);
                return keyManager(factory);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read key store " + file, e);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot load key store " + file + ": " + e.getMessage(), e);
            }
        }

        /**
         * This node's certificate chain and unencrypted PKCS#8 private key, as PEM files.
         *
         * @param certificateChain a PEM file with this node's certificate chain
         * @param privateKey a PEM file with its private key (PKCS#8, unencrypted)
         * @return this builder
         */
        public Builder pemKey(Path certificateChain, Path privateKey) {
            this.pemCertificateChain = certificateChain.toFile();
            this.pemPrivateKey = privateKey.toFile();
            this.keyManager = null;
            return this;
        }

        /**
         * The certificates (usually a CA) a peer's certificate must chain to.
         *
         * @param trustManager the trust manager factory
         * @return this builder
         */
        public Builder trustManager(TrustManagerFactory trustManager) {
            this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
            this.pemTrust = null;
            return this;
        }

        /**
         * Trusted certificates from a trust store file (PKCS#12 or JKS, detected).
         *
         * @param file the trust store
         * @param password the trust store's password
         * @return this builder
         */
        public Builder trustStore(Path file, char[] password) {
            try {
                KeyStore store = KeyStore.getInstance(file.toFile(), password);
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(store);
                return trustManager(factory);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read trust store " + file, e);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot load trust store " + file + ": " + e.getMessage(), e);
            }
        }

        /**
         * Trusted certificates from a PEM file.
         *
         * @param certificates a PEM file of trusted certificates
         * @return this builder
         */
        public Builder trustPem(Path certificates) {
            this.pemTrust = certificates.toFile();
            this.trustManager = null;
            return this;
        }

        /**
         * Whether accepted connections must present a trusted certificate (default true: mutual TLS).
         * Without it, any client that trusts this node's certificate gets as far as the RingRaft
         * handshake.
         *
         * @param mutualAuth whether accepted connections must present a trusted certificate
         * @return this builder
         */
        public Builder mutualAuth(boolean mutualAuth) {
            this.mutualAuth = mutualAuth;
            return this;
        }

        /**
         * Whether a connecting node checks that the peer's certificate names the host (DNS name or
         * IP address) it connects to (default true). Turn off only when certificates do not carry
         * the peers' names, e.g. one certificate for a whole cluster addressed by IP.
         *
         * @param hostnameVerification whether to check the peer certificate's names
         * @return this builder
         */
        public Builder hostnameVerification(boolean hostnameVerification) {
            this.hostnameVerification = hostnameVerification;
            return this;
        }

        /**
         * TLS protocol versions to enable (default TLSv1.3 and TLSv1.2).
         *
         * @param protocols protocol names, e.g. {@code TLSv1.3}
         * @return this builder
         */
        public Builder protocols(String... protocols) {
            if (protocols.length == 0) {
                throw new IllegalArgumentException("at least one protocol is needed");
            }
            this.protocols = List.of(protocols);
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException if key or trust material is missing
         */
        public TlsOptions build() {
            if (keyManager == null && pemCertificateChain == null) {
                throw new IllegalArgumentException("TLS needs this node's key material: keyManager, keyStore or pemKey");
            }
            if (trustManager == null && pemTrust == null) {
                throw new IllegalArgumentException("TLS needs trust material: trustManager, trustStore or trustPem");
            }
            return new TlsOptions(this);
        }
    }
}
