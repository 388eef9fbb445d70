package io.keyward.credential.oauth2;

import io.keyward.testing.Loopback;
import io.keyward.credential.http.HttpSender;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.JwtAssertion;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.SecretValues;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client authentication by private key JWT and as a public client, and the JWT-bearer grant with
 * PEM keys and a Google service-account key file, each verified by the token endpoint.
 */
class ClientAuthenticationAndJwtBearerTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final SecretKeyRef KEY_REF = new SecretKeyRef("crm-key", "key");
  static final String OK = "{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":300}";
  static RSAKey rsa;
  static ECKey ec;

  TokenServer server;
  final AtomicReference<TokenServer.Request> seen = new AtomicReference<>();
  final OAuth2Issuer issuer = new OAuth2Issuer(Loopback.sender());

  @BeforeAll
  static void keys() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
  }

  @BeforeEach
  void start() throws Exception {
    server = new TokenServer().override(r -> {
      seen.set(r);
      return Response.json(200, OK);
    });
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  static String pkcs8(java.security.PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  /** SEC1 as openssl writes it: curve OID and public key included. */
  static String sec1(ECKey key) throws Exception {
    var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.toECPrivateKey().getEncoded());
    var publicKey = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(key.toECPublicKey().getEncoded());
    var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.toECPrivateKey().getS(),
        publicKey.getPublicKeyData(), info.getPrivateKeyAlgorithm().getParameters());
    return pem("EC PRIVATE KEY", sec1.getEncoded());
  }

  /** PKCS#1, as older tools write RSA keys. */
  static String pkcs1(RSAKey key) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(key.toKeyPair());
    }
    return out.toString();
  }

  IssueContext context(String key) {
    return new IssueContext(SecretValues.of(Map.of(KEY_REF, key)), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));
  }

  OAuth2Auth privateKeyJwt() {
    OAuth2Auth a = new OAuth2Auth();
    a.tokenUrl = server.tokenUrl();
    a.clientId = "crm-client";
    a.clientAuthentication = OAuth2Auth.ClientAuthentication.privateKeyJwt;
    a.clientAssertion = new JwtAssertion();
    a.clientAssertion.keyRef = KEY_REF;
    return a;
  }

  static JWTClaimsSet verified(String jwt, JWSVerifier verifier) throws Exception {
    SignedJWT parsed = SignedJWT.parse(jwt);
    assertThat(parsed.verify(verifier)).as("signature").isTrue();
    return parsed.getJWTClaimsSet();
  }

  @Test
  void privateKeyJwtWithAnRsaPkcs8Key() throws Exception {
    issuer.issue(privateKeyJwt(), context(pkcs8(rsa.toPrivateKey())));

    TokenServer.Request r = seen.get();
    assertThat(r.header("Authorization")).isNull();
    assertThat(r.form()).containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        .containsEntry("grant_type", "client_credentials").doesNotContainKey("client_secret");
    SignedJWT jwt = SignedJWT.parse(r.form().get("client_assertion"));
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
    JWTClaimsSet claims = verified(r.form().get("client_assertion"), new RSASSAVerifier(rsa.toRSAPublicKey()));
    assertThat(claims.getIssuer()).isEqualTo("crm-client");
    assertThat(claims.getSubject()).isEqualTo("crm-client");
    assertThat(claims.getAudience()).containsExactly(server.tokenUrl());
    assertThat(claims.getJWTID()).isNotBlank();
    assertThat(claims.getIssueTime().toInstant()).isEqualTo(NOW);
    assertThat(claims.getExpirationTime().toInstant()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
  }

  @Test
  void privateKeyJwtWithAnEcSec1KeyAndAConfiguredAudience() throws Exception {
    OAuth2Auth a = privateKeyJwt();
    a.clientAssertion.audience = "https://login.example.com";

    issuer.issue(a, context(sec1(ec)));

    SignedJWT jwt = SignedJWT.parse(seen.get().form().get("client_assertion"));
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(verified(jwt.serialize(), new ECDSAVerifier(ec.toECPublicKey())).getAudience())
        .containsExactly("https://login.example.com");
  }

  @Test
  void privateKeyJwtWithAnRsaPkcs1Key() throws Exception {
    assertThat(pkcs1(rsa)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    issuer.issue(privateKeyJwt(), context(pkcs1(rsa)));
    verified(seen.get().form().get("client_assertion"), new RSASSAVerifier(rsa.toRSAPublicKey()));
  }

  @Test
  void privateKeyJwtWithAJwkCarriesItsKeyId() throws Exception {
    issuer.issue(privateKeyJwt(), context(rsa.toJSONString()));

    SignedJWT jwt = SignedJWT.parse(seen.get().form().get("client_assertion"));
    assertThat(jwt.getHeader().getKeyID()).isEqualTo("rsa-1");
    verified(jwt.serialize(), new RSASSAVerifier(rsa.toRSAPublicKey()));
  }

  @Test
  void anAssertionLifetimeUnderOneSecondIsRefusedLikeAMintedTokensTtl() throws Exception {
    OAuth2Auth a = privateKeyJwt();
    a.clientAssertion.lifetime = "0s";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> issuer.issue(a, context(pkcs8(rsa.toPrivateKey()))))
        .isInstanceOfSatisfying(io.keyward.credential.CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("InvalidConfiguration");
          assertThat(e.getMessage()).isEqualTo("spec.auth.oauth2.clientAssertion.lifetime: must be at least 1s");
        });
    assertThat(seen.get()).as("nothing was sent").isNull();
  }

  @Test
  void eachAssertionHasItsOwnJti() throws Exception {
    issuer.issue(privateKeyJwt(), context(pkcs8(rsa.toPrivateKey())));
    String first = SignedJWT.parse(seen.get().form().get("client_assertion")).getJWTClaimsSet().getJWTID();
    issuer.issue(privateKeyJwt(), context(pkcs8(rsa.toPrivateKey())));
    assertThat(SignedJWT.parse(seen.get().form().get("client_assertion")).getJWTClaimsSet().getJWTID()).isNotEqualTo(first);
  }

  @Test
  void anAlgorithmThatDoesNotFitTheKeyNamesTheField() throws Exception {
    OAuth2Auth a = privateKeyJwt();
    a.clientAssertion.algorithm = "ES256";
    String pem = pkcs8(rsa.toPrivateKey());

    assertThatThrownBy(() -> issuer.issue(a, context(pem)))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("InvalidConfiguration");
          assertThat(e.getMessage()).startsWith("spec.auth.oauth2.clientAssertion.algorithm").contains("RSA");
        });
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void aBrokenPemIsAClearErrorWithoutTheKeyMaterial() throws Exception {
    String broken = pkcs8(rsa.toPrivateKey()).replace("\n-----END", "AAAA\n-----END").substring(0, 200) + "\n-----END PRIVATE KEY-----";

    assertThatThrownBy(() -> issuer.issue(privateKeyJwt(), context(broken)))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.getMessage()).startsWith("spec.auth.oauth2.clientAssertion.keyRef");
          assertThat(e.getMessage()).doesNotContain(broken.substring(30, 60));
        });
  }

  @Test
  void aPublicClientSendsOnlyItsId() throws Exception {
    OAuth2Auth a = new OAuth2Auth();
    a.tokenUrl = server.tokenUrl();
    a.clientId = "public-client";
    a.clientAuthentication = OAuth2Auth.ClientAuthentication.none;
    a.grant = OAuth2Auth.Grant.refreshToken;
    a.refreshTokenRef = KEY_REF;

    issuer.issue(a, context("a-refresh-token"));

    assertThat(seen.get().header("Authorization")).isNull();
    assertThat(seen.get().form()).containsEntry("client_id", "public-client").doesNotContainKey("client_secret")
        .doesNotContainKey("client_assertion").containsEntry("grant_type", "refresh_token");
  }

  @Test
  void clientCredentialsCannotBeUsedByAPublicClient() {
    OAuth2Auth a = new OAuth2Auth();
    a.tokenUrl = server.tokenUrl();
    a.clientId = "public-client";
    a.clientAuthentication = OAuth2Auth.ClientAuthentication.none;

    assertThatThrownBy(() -> issuer.issue(a, context("unused")))
        .isInstanceOfSatisfying(CredentialException.class,
            e -> assertThat(e.getMessage()).startsWith("spec.auth.oauth2.clientAuthentication"));
  }

  @Test
  void jwtBearerWithAGoogleServiceAccountKeyFile() throws Exception {
    String keyFile = """
        {"type": "service_account", "project_id": "demo", "private_key_id": "sa-kid-1",
         "private_key": "%s", "client_email": "keyward@demo.iam.gserviceaccount.com",
         "token_uri": "https://oauth2.googleapis.com/token"}
        """.formatted(pkcs8(rsa.toPrivateKey()).replace("\n", "\\n"));
    OAuth2Auth a = new OAuth2Auth();
    a.grant = OAuth2Auth.Grant.jwtBearer;
    a.tokenUrl = server.tokenUrl();
    a.scopes = List.of("https://www.googleapis.com/auth/drive.readonly");
    a.assertion = new JwtAssertion();
    a.assertion.keyRef = KEY_REF;
    a.assertion.subject = "admin@example.com";

    issuer.issue(a, context(keyFile));

    TokenServer.Request r = seen.get();
    assertThat(r.form()).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
        .doesNotContainKey("client_id").doesNotContainKey("client_assertion");
    assertThat(r.header("Authorization")).isNull();
    SignedJWT jwt = SignedJWT.parse(r.form().get("assertion"));
    assertThat(jwt.getHeader().getKeyID()).isEqualTo("sa-kid-1");
    JWTClaimsSet claims = verified(jwt.serialize(), new RSASSAVerifier(rsa.toRSAPublicKey()));
    assertThat(claims.getIssuer()).isEqualTo("keyward@demo.iam.gserviceaccount.com");
    assertThat(claims.getSubject()).isEqualTo("admin@example.com");
    assertThat(claims.getAudience()).containsExactly(server.tokenUrl());
    assertThat(claims.getStringClaim("scope")).isEqualTo("https://www.googleapis.com/auth/drive.readonly");
  }

  @Test
  void jwtBearerWithAPemKeyAndClientSecretBasic() throws Exception {
    SecretKeyRef secretRef = new SecretKeyRef("crm-oauth", "client-secret");
    OAuth2Auth a = new OAuth2Auth();
    a.grant = OAuth2Auth.Grant.jwtBearer;
    a.tokenUrl = server.tokenUrl();
    a.clientId = "crm-client";
    a.clientSecretRef = secretRef;
    a.assertion = new JwtAssertion();
    a.assertion.keyRef = KEY_REF;
    var ctx = new IssueContext(SecretValues.of(Map.of(KEY_REF, sec1(ec), secretRef, "s")),
        Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));

    issuer.issue(a, ctx);

    assertThat(seen.get().header("Authorization")).startsWith("Basic ");
    JWTClaimsSet claims = verified(seen.get().form().get("assertion"), new ECDSAVerifier(ec.toECPublicKey()));
    assertThat(claims.getIssuer()).isEqualTo("crm-client");
    assertThat(claims.getSubject()).isEqualTo("crm-client");
    assertThat(claims.getClaim("scope")).isNull();
  }
}
