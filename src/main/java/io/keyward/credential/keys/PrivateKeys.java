package io.keyward.credential.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.keyward.credential.CredentialException;
import java.io.IOException;
import java.io.StringReader;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Map;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads private keys as users keep them in Secrets: PEM (PKCS#1, PKCS#8, SEC1; RSA, EC, Ed25519),
 * a JWK, or a Google service-account key file. Errors name the field and the format, never the key
 * material.
 */
public final class PrivateKeys {
  private static final java.security.Provider BOUNCY_CASTLE =
      new org.bouncycastle.jce.provider.BouncyCastleProvider();

  private PrivateKeys() {}

  public static SigningKey parse(String text, String field) throws CredentialException {
    return parse(text, null, field);
  }

  /**
   * @param passphrase the passphrase of an encrypted PKCS#8 PEM, or {@code null}
   */
  public static SigningKey parse(String text, char[] passphrase, String field) throws CredentialException {
    String trimmed = text == null ? "" : text.strip();
    if (trimmed.isEmpty()) {
      throw CredentialException.invalidConfiguration(field, "the key is empty");
    }
    if (trimmed.startsWith("{")) {
      return fromJson(trimmed, field);
    }
    if (trimmed.contains("-----BEGIN")) {
      JWK jwk = fromPem(trimmed, passphrase, field);
      return new SigningKey(jwk, null, defaultAlgorithm(jwk, field), null, null);
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
      JWK jwk = fromPem(pem, null, field);
      return new SigningKey(jwk, string(object.get("private_key_id")), defaultAlgorithm(jwk, field),
          string(object.get("client_email")), string(object.get("token_uri")));
    }
    JWK jwk;
    try {
      jwk = JWK.parse(object);
    } catch (java.text.ParseException e) {
      throw CredentialException.invalidConfiguration(field, "not a valid JWK");
    }
    if (!jwk.isPrivate()) {
      throw CredentialException.invalidConfiguration(field, "the JWK holds no private key");
    }
    if (!(jwk instanceof RSAKey || jwk instanceof ECKey
        || jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve()))) {
      throw CredentialException.invalidConfiguration(field, "JWK key type " + jwk.getKeyType()
          + " is not supported (RSA, EC, or OKP Ed25519)");
    }
    JWSAlgorithm algorithm = jwk.getAlgorithm() != null
        ? JWSAlgorithm.parse(jwk.getAlgorithm().getName()) : defaultAlgorithm(jwk, field);
    return new SigningKey(jwk, jwk.getKeyID(), algorithm, null, null);
  }

  /** The private key of a PEM block, with its public half, as a JWK. */
  static JWK fromPem(String pem, char[] passphrase, String field) throws CredentialException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      PrivateKeyInfo info;
      if (object instanceof PEMKeyPair pair) {
        info = pair.getPrivateKeyInfo();
      } else if (object instanceof PrivateKeyInfo i) {
        info = i;
      } else if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
        if (passphrase == null) {
          throw CredentialException.invalidConfiguration(field, "the PEM private key is encrypted; set passphraseRef");
        }
        try {
          info = encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
              .setProvider(BOUNCY_CASTLE).build(passphrase));
        } catch (org.bouncycastle.pkcs.PKCSException | org.bouncycastle.operator.OperatorCreationException e) {
          throw CredentialException.invalidConfiguration(field.replace("secretRef", "passphraseRef"),
              "the passphrase does not decrypt the key");
        }
      } else {
        throw CredentialException.invalidConfiguration(field, object == null
            ? "no PEM block found"
            : "the PEM block is not an unencrypted private key (" + object.getClass().getSimpleName() + ")");
      }
      if (EdECObjectIdentifiers.id_Ed25519.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
        byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
        byte[] x = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
        return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).d(Base64URL.encode(seed)).build();
      }
      return toJwk(converter.getPrivateKey(info), field);
    } catch (CredentialException e) {
      throw e;
    } catch (IOException | RuntimeException | java.security.GeneralSecurityException e) {
      throw CredentialException.invalidConfiguration(field, "the PEM private key cannot be read");
    }
  }

  private static JWK toJwk(PrivateKey key, String field)
      throws CredentialException, java.security.GeneralSecurityException {
    if (key instanceof RSAPrivateCrtKey rsa) {
      RSAPublicKey pub = (RSAPublicKey) KeyFactory.getInstance("RSA")
          .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
      return new RSAKey.Builder(pub).privateKey(rsa).build();
    }
    if (key instanceof ECPrivateKey ec) {
      var q = EC5Util.convertSpec(ec.getParams()).getG().multiply(ec.getS()).normalize();
      ECPublicKey pub = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
          new java.security.spec.ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
          ec.getParams()));
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (curve == null) {
        throw CredentialException.invalidConfiguration(field, "unsupported EC curve (P-256, P-384, P-521)");
      }
      return new ECKey.Builder(curve, pub).privateKey(ec).build();
    }
    throw CredentialException.invalidConfiguration(field, "unsupported key type " + key.getAlgorithm()
        + " (RSA, EC on P-256/P-384/P-521, Ed25519)");
  }

  static JWSAlgorithm defaultAlgorithm(JWK jwk, String field) throws CredentialException {
    if (jwk instanceof RSAKey) {
      return JWSAlgorithm.RS256;
    }
    if (jwk instanceof ECKey ec) {
      if (Curve.P_256.equals(ec.getCurve())) {
        return JWSAlgorithm.ES256;
      }
      if (Curve.P_384.equals(ec.getCurve())) {
        return JWSAlgorithm.ES384;
      }
      if (Curve.P_521.equals(ec.getCurve())) {
        return JWSAlgorithm.ES512;
      }
      throw CredentialException.invalidConfiguration(field, "unsupported EC curve " + ec.getCurve());
    }
    return JWSAlgorithm.EdDSA;
  }

  /** Fails unless {@code algorithm} can sign with {@code key}. */
  public static void requireFits(SigningKey key, JWSAlgorithm algorithm, String field) throws CredentialException {
    JWK jwk = key.jwk();
    boolean fits = jwk instanceof RSAKey
        ? JWSAlgorithm.Family.RSA.contains(algorithm)
        : jwk instanceof ECKey
            ? algorithm.equals(key.algorithm())
            : JWSAlgorithm.EdDSA.equals(algorithm) || JWSAlgorithm.Ed25519.equals(algorithm);
    if (!fits) {
      throw CredentialException.invalidConfiguration(field, "algorithm " + algorithm + " does not fit the "
          + jwk.getKeyType() + (jwk instanceof ECKey ec ? " " + ec.getCurve() : "") + " key");
    }
  }

  private static String string(Object o) {
    return o instanceof String s && !s.isBlank() ? s : null;
  }

}
