package io.keyward.credential.oauth2;

import io.keyward.credential.CredentialException;
import io.keyward.credential.keys.PrivateKeys;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Objects;
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

  /** Identity for caching one HTTP client per distinct material. */
  String cacheKey() {
    return Integer.toHexString(Objects.hash(caBundle, clientCertificate, clientKey));
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
