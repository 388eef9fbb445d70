package io.keyward.credential.http;

import io.keyward.credential.CredentialException;
import io.keyward.credential.keys.PrivateKeys;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.HexFormat;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a connection to a token endpoint needs beyond the defaults: a CA bundle to trust instead of
 * the system store, and a client certificate for mutual TLS ({@code tls_client_auth}). PEM text.
 */
public record TlsMaterial(String caBundle, String clientCertificate, String clientKey) {

  /** Never prints key material. */
  @Override
  public String toString() {
    return "TlsMaterial[ca=" + (caBundle != null) + ", clientCertificate=" + (clientCertificate != null) + "]";
  }

  /**
   * Identity for caching one HTTP client per distinct material: a SHA-256 digest of all three
   * fields, each length-prefixed (so no two different materials share it, and an absent field
   * differs from an empty one).
   */
  String digest() {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      for (String field : new String[] {caBundle, clientCertificate, clientKey}) {
        if (field == null) {
          sha256.update((byte) 0);
          continue;
        }
        byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
        sha256.update((byte) 1);
        sha256.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        sha256.update(bytes);
      }
      return HexFormat.of().formatHex(sha256.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  SSLContext sslContext() throws CredentialException {
    try {
      TrustManagerFactory trust = null;
      if (caBundle != null) {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        int i = 0;
        for (Certificate c : certificates(caBundle, "spec.auth.oauth2.caBundleRef")) {
          trusted.setCertificateEntry("ca-" + i++, c);
        }
        trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
      }
      KeyManagerFactory keys = null;
      if (clientCertificate != null) {
        PrivateKey key = PrivateKeys.parse(clientKey, "spec.auth.oauth2.clientKeyRef").privateKey();
        Collection<? extends Certificate> chain = certificates(clientCertificate, "spec.auth.oauth2.clientCertificateRef");
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        char[] password = "keyward".toCharArray();
        identity.setKeyEntry("client", key, password, chain.toArray(Certificate[]::new));
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity, password);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
          new SecureRandom());
      return context;
    } catch (CredentialException e) {
      throw e;
    } catch (java.security.GeneralSecurityException | java.io.IOException | com.nimbusds.jose.JOSEException e) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.clientCertificateRef",
          "the certificate and key do not form a usable TLS identity (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static Collection<? extends Certificate> certificates(String pem, String field) throws CredentialException {
    try {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      if (certs.isEmpty()) {
        throw CredentialException.invalidConfiguration(field, "holds no PEM certificate");
      }
      return certs;
    } catch (CertificateException e) {
      throw CredentialException.invalidConfiguration(field, "is not a PEM certificate");
    }
  }
}
