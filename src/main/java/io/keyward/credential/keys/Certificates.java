package io.keyward.credential.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.util.Base64URL;
import io.keyward.credential.CredentialException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/** X.509 certificates that go with signing keys. */
public final class Certificates {
  private Certificates() {}

  /** The {@code x5t#S256} of the first PEM certificate, which must hold {@code key}'s public key. */
  public static Base64URL sha256Thumbprint(String pem, SigningKey key, String field) throws CredentialException {
    try {
      X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      byte[] certificateKey = certificate.getPublicKey().getEncoded();
      byte[] ownKey = publicKeyEncoded(key);
      if (ownKey != null && !Arrays.equals(certificateKey, ownKey)) {
        throw CredentialException.invalidConfiguration(field, "the certificate is not for this signing key");
      }
      return Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (CertificateException e) {
      throw CredentialException.invalidConfiguration(field, "is not a PEM X.509 certificate");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] publicKeyEncoded(SigningKey key) {
    try {
      var jwk = key.publicJwk();
      if (jwk instanceof com.nimbusds.jose.jwk.RSAKey rsa) {
        return rsa.toPublicKey().getEncoded();
      }
      if (jwk instanceof com.nimbusds.jose.jwk.ECKey ec) {
        return ec.toPublicKey().getEncoded();
      }
      return null;
    } catch (JOSEException e) {
      return null;
    }
  }
}
