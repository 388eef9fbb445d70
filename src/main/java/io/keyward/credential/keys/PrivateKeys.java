package io.keyward.credential.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.keyward.credential.CredentialException;
import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads private keys as users keep them in Secrets: PEM (PKCS#1, PKCS#8, SEC1), a JWK, or a Google
 * service-account key file. Errors name the field and the format, never the key material.
 */
public final class PrivateKeys {
  private PrivateKeys() {}

  public static SigningKey parse(String text, String field) throws CredentialException {
    String trimmed = text == null ? "" : text.strip();
    if (trimmed.isEmpty()) {
      throw CredentialException.invalidConfiguration(field, "the key is empty");
    }
    if (trimmed.startsWith("{")) {
      return fromJson(trimmed, field);
    }
    if (trimmed.contains("-----BEGIN")) {
      PrivateKey key = fromPem(trimmed, field);
      return new SigningKey(key, null, defaultAlgorithm(key, field), null, null);
    }
    throw CredentialException.invalidConfiguration(field, "not a PEM private key, a JWK or a service-account key file");
  }

  private static SigningKey fromJson(String json, String field) throws CredentialException {
    Map<String, Object> object;
    try {
      object = JSONObjectUtils.parse(json);
    } catch (java.text.ParseException e) {
      throw CredentialException.invalidConfiguration(field, "not valid JSON");
    }
    if ("service_account".equals(object.get("type")) && object.get("private_key") instanceof String pem) {
      PrivateKey key = fromPem(pem, field);
      return new SigningKey(key, string(object.get("private_key_id")), defaultAlgorithm(key, field),
          string(object.get("client_email")), string(object.get("token_uri")));
    }
    try {
      JWK jwk = JWK.parse(object);
      if (!jwk.isPrivate()) {
        throw CredentialException.invalidConfiguration(field, "the JWK holds no private key");
      }
      PrivateKey key = switch (jwk.getKeyType().getValue()) {
        case "RSA" -> jwk.toRSAKey().toPrivateKey();
        case "EC" -> jwk.toECKey().toPrivateKey();
        default -> throw CredentialException.invalidConfiguration(field,
            "JWK key type " + jwk.getKeyType() + " is not supported here (RSA or EC)");
      };
      JWSAlgorithm algorithm = jwk.getAlgorithm() != null
          ? JWSAlgorithm.parse(jwk.getAlgorithm().getName()) : defaultAlgorithm(key, field);
      return new SigningKey(key, jwk.getKeyID(), algorithm, null, null);
    } catch (java.text.ParseException | JOSEException e) {
      throw CredentialException.invalidConfiguration(field, "not a valid JWK");
    }
  }

  static PrivateKey fromPem(String pem, String field) throws CredentialException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PEMKeyPair pair) {
        return pair.getPublicKeyInfo() == null
            ? converter.getPrivateKey(pair.getPrivateKeyInfo())
            : converter.getKeyPair(pair).getPrivate();
      }
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw CredentialException.invalidConfiguration(field, object == null
          ? "no PEM block found"
          : "the PEM block is not an unencrypted private key (" + object.getClass().getSimpleName() + ")");
    } catch (IOException | RuntimeException e) {
      throw CredentialException.invalidConfiguration(field, "the PEM private key cannot be read");
    }
  }

  static JWSAlgorithm defaultAlgorithm(PrivateKey key, String field) throws CredentialException {
    if (key instanceof RSAPrivateKey) {
      return JWSAlgorithm.RS256;
    }
    if (key instanceof ECPrivateKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (Curve.P_256.equals(curve)) {
        return JWSAlgorithm.ES256;
      }
      if (Curve.P_384.equals(curve)) {
        return JWSAlgorithm.ES384;
      }
      if (Curve.P_521.equals(curve)) {
        return JWSAlgorithm.ES512;
      }
    }
    throw CredentialException.invalidConfiguration(field, "unsupported key type " + key.getAlgorithm()
        + " (RSA, or EC on P-256, P-384, P-521)");
  }

  /** Fails unless {@code algorithm} can sign with {@code key}. */
  public static void requireFits(SigningKey key, JWSAlgorithm algorithm, String field) throws CredentialException {
    boolean rsa = key.key() instanceof RSAPrivateKey;
    boolean fits = rsa
        ? JWSAlgorithm.Family.RSA.contains(algorithm)
        : JWSAlgorithm.Family.EC.contains(algorithm) && algorithm.equals(key.algorithm());
    if (!fits) {
      throw CredentialException.invalidConfiguration(field, "algorithm " + algorithm + " does not fit the "
          + (rsa ? "RSA" : "EC") + " key");
    }
  }

  private static String string(Object o) {
    return o instanceof String s && !s.isBlank() ? s : null;
  }
}
