package io.keyward.credential.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.keyward.testing.LogCapture;
import java.security.Provider;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JwsSignersTest {
  private static final JwsSigners.Loaded BROKEN =
      new JwsSigners.Loaded(null, "UnsatisfiedLinkError: no libamazonCorrettoCryptoProvider for this platform");

  private static SigningKey key(com.nimbusds.jose.jwk.JWK jwk, JWSAlgorithm algorithm) {
    return new SigningKey(jwk, null, algorithm, null, null);
  }

  /** ACCP with no portable signer behind it: a signature it makes was made natively, or it fails. */
  private static JwsSigners nativeOnly() {
    boolean linuxX64 = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
        && System.getProperty("os.arch").matches("amd64|x86_64");
    assumeTrue(linuxX64, "the image and CI are linux/amd64; elsewhere auto falls back, which the tests below cover");
    return JwsSigners.select(JwsSigners.Choice.ACCP);
  }

  /** A provider that offers nothing: the native provider refusing every key. */
  private static JwsSigners.Loaded refusing() {
    return new JwsSigners.Loaded(new Provider("Refusing", "1.0", "offers no algorithm") {}, null);
  }

  @Test
  void theNativeProviderSignsOnThePlatformKeywardShipsFor() {
    JwsSigners accp = nativeOnly();
    JwsSigners auto = JwsSigners.auto();
    assertThat(auto.isNative()).as(auto.description()).isTrue();
    assertThat(auto.description()).startsWith("Amazon Corretto Crypto Provider 2.").contains("AWS-LC");
    assertThat(accp.isNative()).isTrue();
  }

  @Test
  void ed25519SignaturesAreTheSameWhicheverProviderSigns() throws Exception {
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).generate();
    JWSHeader header = new JWSHeader(JWSAlgorithm.EdDSA);
    byte[] input = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJzaGlwbWVudHMifQ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    var nativeSignature = nativeOnly().signer(key(ed, JWSAlgorithm.EdDSA)).sign(header, input);
    var portableSignature = JwsSigners.jdk().signer(key(ed, JWSAlgorithm.EdDSA)).sign(header, input);

    assertThat(nativeSignature).as("Ed25519 is deterministic (RFC 8032)").isEqualTo(portableSignature);
  }

  @Test
  void oneSignerSignsManyInputsFromManyThreads() throws Exception {
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).generate();
    JwsSigners accp = nativeOnly();
    var shared = accp.signer(key(ed, JWSAlgorithm.EdDSA));
    var reference = JwsSigners.jdk().signer(key(ed, JWSAlgorithm.EdDSA));
    JWSHeader header = new JWSHeader(JWSAlgorithm.EdDSA);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      var futures = new java.util.ArrayList<java.util.concurrent.Future<String>>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 200; i++) {
            byte[] input = ("eyJhbGciOiJFZERTQSJ9.input-" + thread + "-" + i)
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            var signed = shared.sign(header, input);
            if (!signed.equals(reference.sign(header, input))) {
              return "thread " + thread + " input " + i + " signed differently";
            }
          }
          return "ok";
        }));
      }
      for (var f : futures) {
        assertThat(f.get()).isEqualTo("ok");
      }
      assertThat(accp.fallbacks()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void everySignerItMakesVerifiesWithTheJdk() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).generate();
    ECKey p256 = new ECKeyGenerator(Curve.P_256).generate();
    ECKey p384 = new ECKeyGenerator(Curve.P_384).generate();
    for (JwsSigners signers : new JwsSigners[] {nativeOnly(), JwsSigners.jdk()}) {
      for (JWSAlgorithm alg : new JWSAlgorithm[] {JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
          JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512}) {
        JWSObject jws = new JWSObject(new JWSHeader(alg), new Payload("{\"sub\":\"x\"}"));
        jws.sign(signers.signer(key(rsa, alg)));
        assertThat(jws.verify(new RSASSAVerifier(rsa.toPublicJWK()))).as(alg + " by " + signers).isTrue();
      }
      JWSObject es256 = new JWSObject(new JWSHeader(JWSAlgorithm.ES256), new Payload("{}"));
      es256.sign(signers.signer(key(p256, JWSAlgorithm.ES256)));
      assertThat(es256.getSignature().decode()).as("JWS ECDSA signatures are R||S, not DER").hasSize(64);
      assertThat(es256.verify(new ECDSAVerifier(p256.toPublicJWK()))).as("ES256 by " + signers).isTrue();
      JWSObject es384 = new JWSObject(new JWSHeader(JWSAlgorithm.ES384), new Payload("{}"));
      es384.sign(signers.signer(key(p384, JWSAlgorithm.ES384)));
      assertThat(es384.verify(new ECDSAVerifier(p384.toPublicJWK()))).as("ES384 by " + signers).isTrue();
    }
  }

  @Test
  void anRsaKeyWithoutCrtParametersStillSigns() throws Exception {
    RSAKey full = new RSAKeyGenerator(2048).generate();
    RSAKey bare = new RSAKey.Builder(full.toPublicJWK()).privateExponent(full.getPrivateExponent()).build();
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.RS256), new Payload("{}"));

    jws.sign(nativeOnly().signer(key(bare, JWSAlgorithm.RS256)));

    assertThat(jws.verify(new RSASSAVerifier(full.toPublicJWK()))).isTrue();
  }

  @Test
  void aKeyReadAgainGetsTheSignerPreparedForItTheFirstTime() throws Exception {
    JwsSigners signers = JwsSigners.select(JwsSigners.Choice.AUTO);
    String json = new RSAKeyGenerator(2048).generate().toJSONString();

    var first = signers.signer(key(RSAKey.parse(json), JWSAlgorithm.RS256));
    var again = signers.signer(key(RSAKey.parse(json), JWSAlgorithm.RS256));

    assertThat(again).isSameAs(first);
  }

  @Test
  void aKeyThatBorrowsAnotherKeysPublicHalfDoesNotGetItsSigner() throws Exception {
    JwsSigners signers = JwsSigners.select(JwsSigners.Choice.AUTO);
    OctetKeyPair victim = new OctetKeyPairGenerator(Curve.Ed25519).generate();
    OctetKeyPair other = new OctetKeyPairGenerator(Curve.Ed25519).generate();
    OctetKeyPair borrowing = new OctetKeyPair.Builder(Curve.Ed25519, victim.getX()).d(other.getD()).build();
    JWSHeader header = new JWSHeader(JWSAlgorithm.EdDSA);
    byte[] input = "eyJhbGciOiJFZERTQSJ9.e30".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    var victimSignature = signers.signer(key(victim, JWSAlgorithm.EdDSA)).sign(header, input);

    var borrowingSigner = signers.signer(key(borrowing, JWSAlgorithm.EdDSA));

    assertThat(borrowingSigner).isNotSameAs(signers.signer(key(victim, JWSAlgorithm.EdDSA)));
    assertThat(borrowingSigner.sign(header, input)).isNotEqualTo(victimSignature);
  }

  @Test
  void underAutoAKeyTheNativeProviderRefusesIsSignedByTheJdkAndSaidOnce() throws Exception {
    JwsSigners signers = JwsSigners.select(JwsSigners.Choice.AUTO, JwsSignersTest::refusing);
    RSAKey rsa = new RSAKeyGenerator(2048).generate();
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).generate();
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < 3; i++) {
        JWSObject rs = new JWSObject(new JWSHeader(JWSAlgorithm.RS256), new Payload("{}"));
        rs.sign(signers.signer(key(rsa, JWSAlgorithm.RS256))); // refused when the key is taken in
        assertThat(rs.verify(new RSASSAVerifier(rsa.toPublicJWK()))).isTrue();
        JWSObject eds = new JWSObject(new JWSHeader(JWSAlgorithm.EdDSA), new Payload("{}"));
        eds.sign(signers.signer(key(ed, JWSAlgorithm.EdDSA))); // refused at the signature
        assertThat(eds.verify(new Ed25519Verifier(ed.toPublicJWK()))).isTrue();
      }

      assertThat(signers.fallbacks()).isEqualTo(6);
      String text = logs.text();
      assertThat(text.lines().filter(l -> l.contains("could not sign"))).hasSize(2);
      assertThat(text).contains("thumbprint " + rsa.computeThumbprint()).contains("thumbprint " + ed.computeThumbprint())
          .contains("the JDK signs with it instead")
          .doesNotContain(rsa.getPrivateExponent().toString()).doesNotContain(ed.getD().toString());
    }
  }

  @Test
  void underAccpAKeyTheNativeProviderRefusesIsAClearErrorNotAJdkSignature() throws Exception {
    JwsSigners signers = JwsSigners.select(JwsSigners.Choice.ACCP, JwsSignersTest::refusing);
    RSAKey rsa = new RSAKeyGenerator(2048).generate();
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).generate();
    String expected = "Amazon Corretto Crypto Provider cannot sign with this key (NoSuchAlgorithmException) and "
        + "--crypto-provider=accp allows no other signer; use auto or jdk";

    assertThatThrownBy(() -> signers.signer(key(rsa, JWSAlgorithm.RS256)))
        .isInstanceOf(JwsSigners.NativeSignerRefused.class).hasMessage(expected)
        .satisfies(e -> assertThat(JwsSigners.cannotSign((com.nimbusds.jose.JOSEException) e, JWSAlgorithm.RS256))
            .as("what the connector's condition says").isEqualTo(expected));
    assertThat(JwsSigners.cannotSign(new com.nimbusds.jose.JOSEException("RSA key too short"), JWSAlgorithm.RS256))
        .isEqualTo("the key cannot sign with RS256");
    JWSObject eds = new JWSObject(new JWSHeader(JWSAlgorithm.EdDSA), new Payload("{}"));
    var edSigner = signers.signer(key(ed, JWSAlgorithm.EdDSA));
    assertThatThrownBy(() -> eds.sign(edSigner))
        .isInstanceOf(JwsSigners.NativeSignerRefused.class).hasMessage(expected);
    assertThat(signers.fallbacks()).isZero();
  }

  @Test
  void anAlgorithmThatDoesNotFitTheKeyIsRefusedNotFallenBackOn() throws Exception {
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).generate();
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.RS256), new Payload("{}"));

    assertThatThrownBy(() -> jws.sign(JwsSigners.auto().signer(key(ed, JWSAlgorithm.EdDSA))))
        .hasMessageContaining("RS256");
  }

  @Test
  void withoutTheNativeProviderAutoFallsBackAndSaysWhy() throws Exception {
    JwsSigners signers = JwsSigners.select(JwsSigners.Choice.AUTO, () -> BROKEN);

    assertThat(signers.isNative()).isFalse();
    assertThat(signers.description()).isEqualTo("JDK and Bouncy Castle (Amazon Corretto Crypto Provider unavailable: "
        + "UnsatisfiedLinkError: no libamazonCorrettoCryptoProvider for this platform)");
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).generate();
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.EdDSA), new Payload("{}"));
    jws.sign(signers.signer(key(ed, JWSAlgorithm.EdDSA)));
    assertThat(jws.verify(new Ed25519Verifier(ed.toPublicJWK()))).isTrue();
  }

  @Test
  void requiringTheNativeProviderWhereItCannotLoadIsAClearError() {
    assertThatThrownBy(() -> JwsSigners.select(JwsSigners.Choice.ACCP, () -> BROKEN))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Amazon Corretto Crypto Provider cannot be used here: "
            + "UnsatisfiedLinkError: no libamazonCorrettoCryptoProvider for this platform");
  }

  @Test
  void choosingTheJdkNeverLoadsNativeCode() {
    AtomicInteger loads = new AtomicInteger();

    JwsSigners signers = JwsSigners.select(JwsSigners.Choice.JDK, () -> {
      loads.incrementAndGet();
      return BROKEN;
    });

    assertThat(loads).hasValue(0);
    assertThat(signers.isNative()).isFalse();
    assertThat(signers.description()).isEqualTo("JDK and Bouncy Castle");
  }

  @Test
  void choicesParseInAnyCaseAndNameTheValidOnes() {
    assertThat(JwsSigners.Choice.parse(" Accp ")).isEqualTo(JwsSigners.Choice.ACCP);
    assertThatThrownBy(() -> JwsSigners.Choice.parse("openssl"))
        .hasMessage("'openssl' is not one of auto, accp, jdk");
  }
}
