package io.keyward.credential.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.SecretValues;
import io.keyward.credential.keys.JwsSigners;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Minted JWTs verify against the public key, for every algorithm, with the claims asked for. */
class JwtIssuerTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final SecretKeyRef KEY = new SecretKeyRef("logistics-key", "key");
  static RSAKey rsa;
  static ECKey p256;
  static ECKey p384;
  static OctetKeyPair ed25519;

  @BeforeAll
  static void keys() throws Exception {
    rsa = new RSAKeyGenerator(2048).generate();
    p256 = new ECKeyGenerator(Curve.P_256).generate();
    p384 = new ECKeyGenerator(Curve.P_384).generate();
    ed25519 = new OctetKeyPairGenerator(Curve.Ed25519).generate();
  }

  static String pkcs8(byte[] der) {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n";
  }

  static String ed25519Pkcs8(OctetKeyPair key) {
    byte[] prefix = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    byte[] seed = key.getDecodedD();
    byte[] der = new byte[prefix.length + seed.length];
    System.arraycopy(prefix, 0, der, 0, prefix.length);
    System.arraycopy(seed, 0, der, prefix.length, seed.length);
    return pkcs8(der);
  }

  static Stream<Arguments> algorithms() throws Exception {
    keys();
    return Stream.of(
        Arguments.of(JwtAuth.Algorithm.RS256, pkcs8(rsa.toPrivateKey().getEncoded()), rsa.toPublicJWK()),
        Arguments.of(JwtAuth.Algorithm.RS384, pkcs8(rsa.toPrivateKey().getEncoded()), rsa.toPublicJWK()),
        Arguments.of(JwtAuth.Algorithm.RS512, rsa.toJSONString(), rsa.toPublicJWK()),
        Arguments.of(JwtAuth.Algorithm.PS256, pkcs8(rsa.toPrivateKey().getEncoded()), rsa.toPublicJWK()),
        Arguments.of(JwtAuth.Algorithm.ES256, pkcs8(p256.toPrivateKey().getEncoded()), p256.toPublicJWK()),
        Arguments.of(JwtAuth.Algorithm.ES384, p384.toJSONString(), p384.toPublicJWK()),
        Arguments.of(JwtAuth.Algorithm.EdDSA, ed25519Pkcs8(ed25519), ed25519.toPublicJWK()),
        Arguments.of(JwtAuth.Algorithm.EdDSA, ed25519.toJSONString(), ed25519.toPublicJWK()));
  }

  static JwtAuth auth(JwtAuth.Algorithm algorithm) {
    JwtAuth a = new JwtAuth();
    a.algorithm = algorithm;
    a.signingKey = new JwtAuth.SigningKey();
    a.signingKey.secretRef = KEY;
    a.claims = new JwtAuth.Claims();
    a.claims.issuer = "keyward";
    a.claims.subject = "shipments-service";
    a.claims.audience = List.of("https://api.logistics.example.com");
    a.claims.extra = Map.of("tenant", "acme", "exp", "forged");
    return a;
  }

  static IssueContext context(String key) {
    return new IssueContext(SecretValues.of(Map.of(KEY, key)), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));
  }

  /** Every algorithm with every signer: the native one (ACCP, where it loads) and the JDK's. */
  static Stream<Arguments> algorithmsAndSigners() throws Exception {
    return algorithms().flatMap(a -> Stream.of(JwsSigners.auto(), JwsSigners.jdk()).distinct()
        .map(signers -> Arguments.of(a.get()[0], a.get()[1], a.get()[2], signers)));
  }

  @ParameterizedTest(name = "{0} signed by {3}")
  @MethodSource("algorithmsAndSigners")
  void mintedTokensVerifyAgainstThePublicKey(JwtAuth.Algorithm algorithm, String key, JWK publicKey,
      JwsSigners signers) throws Exception {
    IssuedCredential c = new JwtIssuer(null, signers).issue(auth(algorithm), context(key));

    SignedJWT jwt = SignedJWT.parse(c.token());
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.parse(algorithm.name()));
    assertThat(jwt.getHeader().getKeyID()).isEqualTo(publicKey.computeThumbprint().toString());
    var verifier = publicKey instanceof OctetKeyPair okp ? new Ed25519Verifier(okp)
        : new DefaultJWSVerifierFactory().createJWSVerifier(jwt.getHeader(),
            publicKey instanceof RSAKey r ? r.toPublicKey() : ((ECKey) publicKey).toPublicKey());
    assertThat(jwt.verify(verifier)).isTrue();
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo("keyward");
    assertThat(claims.getSubject()).isEqualTo("shipments-service");
    assertThat(claims.getAudience()).containsExactly("https://api.logistics.example.com");
    assertThat(claims.getStringClaim("tenant")).isEqualTo("acme");
    assertThat(claims.getIssueTime().toInstant()).isEqualTo(NOW);
    assertThat(claims.getNotBeforeTime().toInstant()).isEqualTo(NOW);
    assertThat(claims.getExpirationTime().toInstant()).as("static claims cannot override exp")
        .isEqualTo(NOW.plus(Duration.ofMinutes(10)));
    assertThat(claims.getJWTID()).isNotBlank();
    assertThat(c.headerValue()).isEqualTo("Bearer " + c.token());
    assertThat(c.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
  }

  @Test
  void aGivenKeyIdAndTtlAreUsedAndEachTokenHasItsOwnJti() throws Exception {
    JwtAuth a = auth(JwtAuth.Algorithm.ES256);
    a.keyId = "key-2026-03";
    a.ttl = "5m";
    String key = pkcs8(p256.toPrivateKey().getEncoded());

    SignedJWT first = SignedJWT.parse(new JwtIssuer().issue(a, context(key)).token());
    SignedJWT second = SignedJWT.parse(new JwtIssuer().issue(a, context(key)).token());

    assertThat(first.getHeader().getKeyID()).isEqualTo("key-2026-03");
    assertThat(first.getJWTClaimsSet().getExpirationTime().toInstant()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    assertThat(first.getJWTClaimsSet().getJWTID()).isNotEqualTo(second.getJWTClaimsSet().getJWTID());
  }

  @Test
  void anAlgorithmThatDoesNotFitTheKeyIsAClearError() throws Exception {
    String key = pkcs8(rsa.toPrivateKey().getEncoded());
    assertThatThrownBy(() -> new JwtIssuer().issue(auth(JwtAuth.Algorithm.ES256), context(key)))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("InvalidConfiguration");
          assertThat(e.getMessage()).startsWith("spec.auth.jwt.algorithm").contains("ES256").contains("RSA");
        });
    String ec = pkcs8(p384.toPrivateKey().getEncoded());
    assertThatThrownBy(() -> new JwtIssuer().issue(auth(JwtAuth.Algorithm.ES256), context(ec)))
        .hasMessageContaining("P-384");
  }

  @Test
  void aBadPemNamesTheFieldAndShowsNoKeyMaterial() {
    String bad = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
    assertThatThrownBy(() -> new JwtIssuer().issue(auth(JwtAuth.Algorithm.RS256), context(bad)))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.getMessage()).startsWith("spec.auth.jwt.signingKey.secretRef").doesNotContain("MIIE");
          assertThat(e.isTerminal()).isTrue();
        });
  }

  static String encryptedPkcs8(java.security.PrivateKey key, String passphrase) throws Exception {
    var encryptor = new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
        org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
        .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
        .setPassword(passphrase.toCharArray()).build();
    var out = new java.io.StringWriter();
    try (var writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
      writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, encryptor));
    }
    return out.toString();
  }

  static final SecretKeyRef PASSPHRASE = new SecretKeyRef("logistics-key", "passphrase");
  static final SecretKeyRef CERTIFICATE = new SecretKeyRef("logistics-key", "tls.crt");

  @Test
  void anEncryptedPkcs8KeyIsReadWithItsPassphrase() throws Exception {
    String pem = encryptedPkcs8(rsa.toPrivateKey(), "open sesame");
    assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    JwtAuth a = auth(JwtAuth.Algorithm.RS256);
    a.signingKey.passphraseRef = PASSPHRASE;
    var ok = new IssueContext(SecretValues.of(Map.of(KEY, pem, PASSPHRASE, "open sesame\n")),
        Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));

    SignedJWT jwt = SignedJWT.parse(new JwtIssuer().issue(a, ok).token());
    assertThat(jwt.verify(new com.nimbusds.jose.crypto.RSASSAVerifier(rsa.toRSAPublicKey()))).isTrue();

    var wrong = new IssueContext(SecretValues.of(Map.of(KEY, pem, PASSPHRASE, "guess")),
        Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));
    assertThatThrownBy(() -> new JwtIssuer().issue(a, wrong))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.getMessage()).startsWith("spec.auth.jwt.signingKey.passphraseRef").contains("does not decrypt");
          assertThat(e.getMessage()).doesNotContain("guess");
        });
    assertThatThrownBy(() -> new JwtIssuer().issue(auth(JwtAuth.Algorithm.RS256), context(pem)))
        .hasMessageContaining("set passphraseRef");
  }

  @Test
  void theCertificateThumbprintGoesIntoX5tS256() throws Exception {
    var now = java.util.Date.from(NOW);
    var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
        new org.bouncycastle.asn1.x500.X500Name("CN=logistics"), java.math.BigInteger.ONE, now,
        java.util.Date.from(NOW.plus(Duration.ofDays(1))), new org.bouncycastle.asn1.x500.X500Name("CN=logistics"),
        rsa.toPublicKey());
    var certificate = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(builder.build(
        new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA").build(rsa.toPrivateKey())));
    String pem = "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
    JwtAuth a = auth(JwtAuth.Algorithm.RS256);
    a.signingKey.certificateRef = CERTIFICATE;
    var ctx = new IssueContext(SecretValues.of(Map.of(KEY, pkcs8(rsa.toPrivateKey().getEncoded()), CERTIFICATE, pem)),
        Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));

    SignedJWT jwt = SignedJWT.parse(new JwtIssuer().issue(a, ctx).token());

    byte[] expected = java.security.MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
    assertThat(jwt.getHeader().getX509CertSHA256Thumbprint().decode()).isEqualTo(expected);

    var otherKey = new IssueContext(SecretValues.of(Map.of(KEY, pkcs8(p256.toPrivateKey().getEncoded()),
        CERTIFICATE, pem)), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));
    JwtAuth ec = auth(JwtAuth.Algorithm.ES256);
    ec.signingKey.certificateRef = CERTIFICATE;
    assertThatThrownBy(() -> new JwtIssuer().issue(ec, otherKey)).hasMessageContaining("not for this signing key");
  }

  @Test
  void aPublicJwkIsRefused() {
    assertThatThrownBy(() -> new JwtIssuer().issue(auth(JwtAuth.Algorithm.RS256), context(rsa.toPublicJWK().toJSONString())))
        .hasMessageContaining("no private key");
  }
}
