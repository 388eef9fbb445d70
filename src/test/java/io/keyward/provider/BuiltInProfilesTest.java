package io.keyward.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.SecretValues;
import io.keyward.testing.Loopback;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Request;
import io.keyward.testing.TokenServer.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jose.util.Base64URL;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each built-in profile, merged with a connector as its example writes it, through the real issuers
 * against a loopback fake that answers as the provider documents. The connector overrides only the
 * token URL (the fake is on loopback); the test asserts the request the provider received and what
 * the output Secret would hold.
 */
class BuiltInProfilesTest {
  static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  static final SecretKeyRef SECRET = new SecretKeyRef("app", "client-secret");
  static final SecretKeyRef SEED = new SecretKeyRef("app", "refresh-token");
  static final SecretKeyRef KEY = new SecretKeyRef("app", "api-key");
  static final SecretKeyRef PEM = new SecretKeyRef("app", "key.pem");
  static final SecretKeyRef KEY_FILE = new SecretKeyRef("app", "key.json");
  static final SecretKeyRef CERTIFICATE = new SecretKeyRef("app", "tls.crt");
  static RSAKey rsa;
  static java.security.cert.X509Certificate certificate;

  TokenServer server;
  CredentialIssuers issuers = CredentialIssuers.standard(Loopback.sender());

  @BeforeAll
  static void key() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("app-key-1").generate();
    certificate = selfSigned(rsa);
  }

  /** A certificate for the app's key, as one uploads to an Entra app registration. */
  static java.security.cert.X509Certificate selfSigned(RSAKey key) throws Exception {
    var name = new org.bouncycastle.asn1.x500.X500Name("CN=keyward-app");
    var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.ONE,
        java.util.Date.from(NOW.minus(Duration.ofDays(1))), java.util.Date.from(NOW.plus(Duration.ofDays(365))), name,
        key.toRSAPublicKey());
    var signer = new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA").build(key.toPrivateKey());
    return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  static String certificatePem() throws Exception {
    return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
        certificate.getEncoded()) + "\n-----END CERTIFICATE-----\n";
  }

  static String pem() throws Exception {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
        rsa.toPrivateKey().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
  }

  static String keyFile() throws Exception {
    return """
        {"type": "service_account", "project_id": "demo", "private_key_id": "sa-kid-7",
         "private_key": "%s", "client_email": "reports@demo.iam.gserviceaccount.com",
         "token_uri": "https://oauth2.googleapis.com/token"}
        """.formatted(pem().replace("\n", "\\n"));
  }

  /** The claims of a JWT, once its RS256 signature verified against the app's public key. */
  static JWTClaimsSet verified(String jwt) throws Exception {
    SignedJWT parsed = SignedJWT.parse(jwt);
    assertThat(parsed.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
    assertThat(parsed.verify(new RSASSAVerifier(rsa.toRSAPublicKey()))).as("signature").isTrue();
    return parsed.getJWTClaimsSet();
  }

  @BeforeEach
  void start() throws Exception {
    server = new TokenServer().client("app", "client-secret-value").seedRefreshToken("seed-1");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  IssuedCredential issue(String yaml) throws Exception {
    EffectiveSpec e = ProfileMergeTest.resolve(yaml.replace("$TOKEN_URL", server.tokenUrl()));
    return issuers.issue(e.spec().auth.active(), new IssueContext(SecretValues.of(Map.of(SECRET, "client-secret-value",
        SEED, "seed-1", new SecretKeyRef("app", "realmId"), "9130357046853", KEY, "sk_test_51abc", PEM, pem(), KEY_FILE, keyFile(),
        CERTIFICATE, certificatePem())), Clock.fixed(NOW, ZoneOffset.UTC),
        e.spec().refresh != null && e.spec().refresh.defaultLifetime != null
            ? io.keyward.api.v1alpha1.GoDuration.parse(e.spec().refresh.defaultLifetime, "defaultLifetime")
            : Duration.ofHours(1)));
  }

  Request only() {
    assertThat(server.requests()).hasSize(1);
    return server.requests().get(0);
  }

  static String oauth2(String provider, String parameters, String extra) {
    return """
        provider: %s
        parameters: {%s}
        auth:
          oauth2:
            tokenUrl: $TOKEN_URL
            clientId: app
            clientSecretRef: {name: app, key: client-secret}
        %s""".formatted(provider, parameters, extra.indent(4));
  }

  @Test
  void keycloakSendsTheClientInBasicAndAsksClientCredentials() throws Exception {
    IssuedCredential c = issue(oauth2("keycloak", "host: sso.example.com, realm: sales", ""));
    Request r = only();
    assertThat(r.header("Authorization")).startsWith("Basic ");
    assertThat(r.form()).containsEntry("grant_type", "client_credentials").doesNotContainKey("client_secret");
    assertThat(c.headerName()).isEqualTo("Authorization");
    assertThat(c.headerValue()).isEqualTo("Bearer " + TokenServer.token(1));
  }

  @Test
  void auth0SendsTheAudienceAndTheClientInTheBody() throws Exception {
    issue(oauth2("auth0", "tenantDomain: acme.eu.auth0.com, audience: \"https://api.acme.example/\"", ""));
    Request r = only();
    assertThat(r.form()).containsEntry("audience", "https://api.acme.example/")
        .containsEntry("client_id", "app").containsEntry("client_secret", "client-secret-value");
    assertThat(r.header("Authorization")).isNull();
  }

  @Test
  void salesforceAnswersWithoutExpiresInSoItsTokenIsIntrospectedForItsExpiryAndInstanceUrlIsCopied() throws Exception {
    server.override(req -> req.path().endsWith("/introspect")
        ? ("00Dxx!AQ0".equals(req.form().get("token")) && "client-secret-value".equals(req.form().get("client_secret"))
            ? Response.json(200, "{\"active\":true,\"scope\":\"api\",\"client_id\":\"app\",\"token_type\":"
                + "\"access_token\",\"exp\":" + NOW.plusSeconds(900).getEpochSecond() + "}")
            : Response.json(401, "{\"error\":\"invalid_client\"}"))
        : Response.json(200, "{\"access_token\":\"00Dxx!AQ0\",\"token_type\":\"Bearer\","
            + "\"instance_url\":\"https://acme.my.salesforce.com\",\"id\":\"https://login.salesforce.com/id/00D/005\","
            + "\"issued_at\":\"1764669600000\",\"signature\":\"c2ln\"}"));
    IssuedCredential c = issue(oauth2("salesforce", "myDomain: acme.my.salesforce.com", """
        introspection: {url: "$INTROSPECT_URL"}""".replace("$INTROSPECT_URL",
        server.tokenUrl().replace("/oauth2/token", "/services/oauth2/introspect"))));
    assertThat(server.requests()).hasSize(2);
    assertThat(server.requests().get(0).form()).containsEntry("grant_type", "client_credentials")
        .containsEntry("client_id", "app");
    assertThat(c.expiresAt()).as("the session's exp, not the 2h default").isEqualTo(NOW.plusSeconds(900));
    assertThat(c.extraOutput()).containsEntry("instance_url", "https://acme.my.salesforce.com");
  }

  @Test
  void hubspotRefreshesWithTheClientInTheBodyAndKeepsTheThirtyMinuteExpiry() throws Exception {
    server.expiresIn(1800);
    IssuedCredential c = issue(oauth2("hubspot", "", "refreshTokenRef: {name: app, key: refresh-token}"));
    Request r = only();
    assertThat(r.form()).containsEntry("grant_type", "refresh_token").containsEntry("refresh_token", "seed-1")
        .containsEntry("client_secret", "client-secret-value");
    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(1800));
    assertThat(c.state()).containsEntry("refresh-token", server.liveRefreshTokens().iterator().next());
  }

  @Test
  void xeroAndQuickbooksAndSlackRefreshWithBasicAndKeepTheRotatedToken() throws Exception {
    for (String provider : new String[] {"xero", "quickbooks", "slack"}) {
      server.close();
      start();
      IssuedCredential c = issue(oauth2(provider, "", "refreshTokenRef: {name: app, key: refresh-token}"));
      Request r = only();
      assertThat(r.header("Authorization")).as(provider).startsWith("Basic ");
      assertThat(r.form()).as(provider).containsEntry("grant_type", "refresh_token").doesNotContainKey("client_secret");
      assertThat(c.state().get("refresh-token")).as(provider).isNotEqualTo("seed-1")
          .isEqualTo(server.liveRefreshTokens().iterator().next());
      if (provider.equals("quickbooks")) {
        // the company keyward authorize kept from the redirect, next to the seed, reaches the output Secret
        assertThat(c.outputData()).containsEntry("realmId", "9130357046853");
      } else {
        assertThat(c.outputData()).doesNotContainKey("realmId");
      }
    }
  }

  @Test
  void anAuthorizationResponseFieldNeverCopiesTheRefreshTokenOrAClientSecretIntoTheOutput() throws Exception {
    for (String field : new String[] {"refresh-token", "access_token"}) { // the CRD's rule, judging the merged spec
      String yaml = oauth2("quickbooks", "", "refreshTokenRef: {name: app, key: refresh-token}\n"
          + "authorizationResponseFields: [realmId, " + field + "]");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> issue(yaml)).as(field)
          .hasMessageContaining("authorizationResponseFields may not name a token, a client secret or the refresh"
              + " token's own key");
    }
    // the client secret kept in the seed Secret: a key another reference reads there, refused by the issuer
    String yaml = oauth2("quickbooks", "", "refreshTokenRef: {name: app, key: refresh-token}\n"
        + "authorizationResponseFields: [realmId, client-secret]");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> issue(yaml))
        .isInstanceOfSatisfying(io.keyward.credential.CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("InvalidConfiguration");
          assertThat(e.getMessage()).startsWith("spec.auth.oauth2.authorizationResponseFields[1]: 'client-secret'");
        });
    assertThat(server.requests()).as("nothing sent").isEmpty();
  }

  @Test
  void zendeskAndAtlassianRefreshWithTheClientInTheBodyAndKeepTheRotatedToken() throws Exception {
    for (String[] p : new String[][] {{"zendesk", "subdomain: acme"}, {"atlassian", ""}}) {
      server.close();
      start();
      IssuedCredential c = issue(oauth2(p[0], p[1], "refreshTokenRef: {name: app, key: refresh-token}"));
      Request r = only();
      assertThat(r.form()).as(p[0]).containsEntry("grant_type", "refresh_token").containsEntry("client_id", "app")
          .containsEntry("client_secret", "client-secret-value");
      assertThat(c.state().get("refresh-token")).as(p[0]).isNotEqualTo("seed-1");
    }
  }

  @Test
  void entraAuthenticatesWithACertificateAssertionAsksTheDefaultScopeAndReadsExpiresInSentAsAString() throws Exception {
    Base64URL thumbprint = Base64URL.encode(java.security.MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    server.override(req -> {
      try {
        SignedJWT jwt = SignedJWT.parse(req.form().get("client_assertion"));
        // as Entra checks a certificate credential: the key by the certificate's SHA-256 thumbprint, RS256/PS256
        boolean ok = thumbprint.equals(jwt.getHeader().getX509CertSHA256Thumbprint())
            && jwt.verify(new RSASSAVerifier((java.security.interfaces.RSAPublicKey) certificate.getPublicKey()))
            && "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(req.form().get("client_assertion_type"));
        return ok ? Response.json(200, "{\"access_token\":\"eyJ0\",\"token_type\":\"Bearer\","
            + "\"expires_in\":\"3599\",\"ext_expires_in\":\"3599\"}")
            : Response.json(401, "{\"error\":\"invalid_client\",\"error_codes\":[700027]}");
      } catch (Exception e) {
        return Response.json(400, "{\"error\":\"invalid_request\"}");
      }
    });
    IssuedCredential c = issue(oauth2("microsoft-entra-id", "tenant: contoso.onmicrosoft.com", """
        clientAssertion:
          keyRef: {name: app, key: key.pem}
          certificateRef: {name: app, key: tls.crt}""").replace("      clientSecretRef: {name: app, key: client-secret}\n", ""));
    Request r = only();
    assertThat(r.form()).containsEntry("scope", "https://graph.microsoft.com/.default")
        .containsEntry("grant_type", "client_credentials").doesNotContainKey("client_secret");
    JWTClaimsSet claims = verified(r.form().get("client_assertion"));
    assertThat(claims.getIssuer()).isEqualTo("app");
    assertThat(claims.getSubject()).isEqualTo("app");
    assertThat(claims.getAudience()).containsExactly(server.tokenUrl());
    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(3599));
  }

  @Test
  void entraWithAClientSecretInsteadOverridesOneField() throws Exception {
    server.override(req -> Response.json(200, "{\"access_token\":\"eyJ1\",\"token_type\":\"Bearer\",\"expires_in\":3599}"));
    issue(oauth2("microsoft-entra-id", "tenant: contoso.onmicrosoft.com", "clientAuthentication: clientSecretPost"));
    assertThat(only().form()).containsEntry("client_secret", "client-secret-value").doesNotContainKey("client_assertion");
  }

  @Test
  void stripeSendsTheSecretKeyAsABearerToken() throws Exception {
    IssuedCredential c = issue("provider: stripe\nauth: {apiKey: {keyRef: {name: app, key: api-key}}}\n");
    assertThat(c.headerName()).isEqualTo("Authorization");
    assertThat(c.headerValue()).isEqualTo("Bearer sk_test_51abc");
  }

  @Test
  void datadogSendsTheKeyInItsOwnHeader() throws Exception {
    IssuedCredential c = issue("provider: datadog\nauth: {apiKey: {keyRef: {name: app, key: api-key}}}\n");
    assertThat(c.headerName()).isEqualTo("DD-API-KEY");
    assertThat(c.headerValue()).isEqualTo("sk_test_51abc");
  }

  @Test
  void shopifyRefreshesInTheBodyKeepsTheRotatedTokenAndSendsItsOwnHeader() throws Exception {
    // as Shopify answers an expiring offline token's refresh: no token_type, a new refresh token
    server.override(req -> "refresh_token".equals(req.form().get("grant_type")) && "seed-1".equals(req.form().get("refresh_token"))
        && "client-secret-value".equals(req.form().get("client_secret")) && req.header("Authorization") == null
        ? Response.json(200, "{\"access_token\":\"shpat_2f1c\",\"expires_in\":3600,\"refresh_token\":\"shprt_9e2d\","
            + "\"refresh_token_expires_in\":7776000,\"scope\":\"read_products\"}")
        : Response.json(400, "{\"error\":\"invalid_request\"}"));
    IssuedCredential c = issue(oauth2("shopify", "shop: acme", "refreshTokenRef: {name: app, key: refresh-token}"));
    assertThat(only().form()).containsEntry("client_id", "app");
    assertThat(c.headerName()).isEqualTo("X-Shopify-Access-Token");
    assertThat(c.headerValue()).isEqualTo("shpat_2f1c");
    assertThat(c.token()).isEqualTo("shpat_2f1c");
    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
    assertThat(c.state()).containsEntry("refresh-token", "shprt_9e2d");
  }

  @Test
  void zoomAsksAccountCredentialsForTheAccountWithBasicClientAuth() throws Exception {
    server.override(req -> {
      String[] client = TokenServer.presentedClient(req);
      boolean ok = req.header("Authorization") != null && req.header("Authorization").startsWith("Basic ")
          && client != null && "app".equals(client[0]) && "client-secret-value".equals(client[1])
          && "account_credentials".equals(req.form().get("grant_type"))
          && "AbCdEf12GhIjKl".equals(req.form().get("account_id"));
      return ok ? Response.json(200, "{\"access_token\":\"eyJzm\",\"token_type\":\"bearer\",\"expires_in\":3599,"
          + "\"scope\":\"meeting:read:admin\",\"api_url\":\"https://api.zoom.us\"}")
          : Response.json(400, "{\"reason\":\"unsupported grant type\",\"error\":\"unsupported_grant_type\"}");
    });
    IssuedCredential c = issue(oauth2("zoom", "accountId: AbCdEf12GhIjKl", ""));
    assertThat(only().form()).doesNotContainKey("client_secret");
    assertThat(c.headerValue()).isEqualTo("Bearer eyJzm");
    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(3599));
  }

  @Test
  void oktaAuthenticatesTheClientWithAPrivateKeyJwtWhoseAudienceIsTheTokenUrl() throws Exception {
    IssuedCredential[] c = new IssuedCredential[1];
    server.override(req -> Response.json(200, "{\"token_type\":\"Bearer\",\"expires_in\":3600,"
        + "\"access_token\":\"eyJok\",\"scope\":\"okta.users.read\"}"));
    c[0] = issue(oauth2("okta", "oktaDomain: acme.okta.com", """
        clientAuthentication: privateKeyJwt
        clientAssertion:
          keyRef: {name: app, key: key.pem}
        scopes: [okta.users.read]""").replace("      clientSecretRef: {name: app, key: client-secret}\n", ""));
    Request r = only();
    assertThat(r.form()).containsEntry("grant_type", "client_credentials").containsEntry("scope", "okta.users.read")
        .containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        .doesNotContainKey("client_secret");
    JWTClaimsSet claims = verified(r.form().get("client_assertion"));
    assertThat(claims.getIssuer()).isEqualTo("app");
    assertThat(claims.getSubject()).isEqualTo("app");
    assertThat(claims.getAudience()).containsExactly(server.tokenUrl());
    assertThat(claims.getExpirationTime().toInstant()).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    assertThat(claims.getJWTID()).isNotBlank();
    assertThat(c[0].headerValue()).isEqualTo("Bearer eyJok");
  }

  @Test
  void googleServiceAccountSignsAJwtBearerAssertionWithTheKeyFile() throws Exception {
    server.override(req -> Response.json(200, "{\"access_token\":\"ya29.c\",\"expires_in\":3599,\"token_type\":\"Bearer\"}"));
    IssuedCredential c = issue("""
        provider: google-service-account
        auth:
          oauth2:
            tokenUrl: $TOKEN_URL
            assertion:
              keyRef: {name: app, key: key.json}
            scopes: [https://www.googleapis.com/auth/drive.readonly]
        """);
    Request r = only();
    assertThat(r.form()).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
        .doesNotContainKey("client_id");
    SignedJWT jwt = SignedJWT.parse(r.form().get("assertion"));
    assertThat(jwt.getHeader().getKeyID()).isEqualTo("sa-kid-7");
    JWTClaimsSet claims = verified(jwt.serialize());
    assertThat(claims.getIssuer()).isEqualTo("reports@demo.iam.gserviceaccount.com");
    assertThat(claims.getAudience()).containsExactly(server.tokenUrl());
    assertThat(claims.getStringClaim("scope")).isEqualTo("https://www.googleapis.com/auth/drive.readonly");
    assertThat(c.headerValue()).isEqualTo("Bearer ya29.c");
  }

  @Test
  void docusignSendsTheUserAsSubjectAndTheBareAuthHostAsAudience() throws Exception {
    server.override(req -> Response.json(200, "{\"access_token\":\"eyJds\",\"token_type\":\"Bearer\",\"expires_in\":3600}"));
    IssuedCredential c = issue("""
        provider: docusign
        parameters: {authHost: account-d.docusign.com, userId: 8f1b6a1e-0c3d-4d7e-9a43-2f4a8c0b1d2e}
        auth:
          oauth2:
            tokenUrl: $TOKEN_URL
            clientId: 2c5e2b0c-integration-key
            assertion:
              issuer: 2c5e2b0c-integration-key
              keyRef: {name: app, key: key.pem}
        """);
    Request r = only();
    assertThat(r.form()).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
    JWTClaimsSet claims = verified(r.form().get("assertion"));
    assertThat(claims.getIssuer()).isEqualTo("2c5e2b0c-integration-key");
    assertThat(claims.getSubject()).isEqualTo("8f1b6a1e-0c3d-4d7e-9a43-2f4a8c0b1d2e");
    assertThat(claims.getAudience()).as("without https://").containsExactly("account-d.docusign.com");
    assertThat(claims.getStringClaim("scope")).isEqualTo("signature impersonation");
    assertThat(c.headerValue()).isEqualTo("Bearer eyJds");
  }

  @Test
  void githubAppExchangesAnAppJwtForAnInstallationTokenThatExpiresAtItsExpiresAt() throws Exception {
    String url = server.tokenUrl().replace("/oauth2/token", "/app/installations/7890123/access_tokens");
    server.override(req -> {
      try {
        JWTClaimsSet claims = verified(req.header("Authorization").substring("Bearer ".length()));
        boolean ok = "POST".equals(req.method()) && req.path().equals("/app/installations/7890123/access_tokens")
            && "Iv23liExample".equals(claims.getIssuer())
            && !claims.getIssueTime().toInstant().isAfter(NOW.minusSeconds(60))
            && !claims.getExpirationTime().toInstant().isAfter(NOW.plusSeconds(600))
            && "application/vnd.github+json".equals(req.header("Accept"))
            && "2022-11-28".equals(req.header("X-GitHub-Api-Version"));
        return ok ? Response.json(201, "{\"token\":\"ghs_16C7e42F292c\",\"expires_at\":\"2026-12-02T11:00:00Z\","
            + "\"permissions\":{\"contents\":\"read\"},\"repository_selection\":\"all\"}")
            : Response.json(401, "{\"message\":\"A JSON web token could not be decoded\"}");
      } catch (Exception e) {
        return Response.json(401, "{\"message\":\"A JSON web token could not be decoded\"}");
      }
    });
    IssuedCredential c = issue("""
        provider: github-app
        parameters: {appId: Iv23liExample, installationId: "7890123"}
        auth:
          jwt:
            signingKey:
              secretRef: {name: app, key: key.pem}
            exchange:
              url: %s
        """.formatted(url));
    assertThat(only().path()).isEqualTo("/app/installations/7890123/access_tokens");
    assertThat(c.headerValue()).isEqualTo("Bearer ghs_16C7e42F292c");
    assertThat(c.expiresAt()).isEqualTo(Instant.parse("2026-12-02T11:00:00Z"));
  }

  @Test
  void slackSaysOkFalseWithAnHttp200AndItsOwnCodesWhichReadAsTheOAuthOnes() throws Exception {
    // as oauth.v2.access answers a spent refresh token and a wrong client secret
    server.override(req -> Response.json(200, "{\"ok\":false,\"error\":\"invalid_refresh_token\"}"));
    assertThatThrownBy(() -> issue(oauth2("slack", "", "refreshTokenRef: {name: app, key: refresh-token}")))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("ReauthorizationRequired");
          assertThat(e.isTerminal()).isTrue();
        });
    server.override(req -> Response.json(200, "{\"ok\":false,\"error\":\"bad_client_secret\"}"));
    assertThatThrownBy(() -> issue(oauth2("slack", "", "refreshTokenRef: {name: app, key: refresh-token}")))
        .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.reason()).isEqualTo("InvalidClient"));
  }

  @Test
  void slackAnswersARefreshWithTokenTypeBotWhichIsSentAsABearerToken() throws Exception {
    // oauth.v2.access with rotation on: ok, token_type bot, a new refresh token, 12-hour expiry
    server.override(req -> Response.json(200, "{\"ok\":true,\"app_id\":\"A0KRD7HC3\",\"access_token\":"
        + "\"xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy\",\"token_type\":\"bot\",\"scope\":\"chat:write\","
        + "\"expires_in\":43200,\"refresh_token\":\"xoxe-1-rotated\",\"team\":{\"id\":\"T9TK3CUKW\"}}"));
    IssuedCredential c = issue(oauth2("slack", "", "refreshTokenRef: {name: app, key: refresh-token}"));
    assertThat(c.headerValue()).isEqualTo("Bearer xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy");
    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(43200));
    assertThat(c.state()).containsEntry("refresh-token", "xoxe-1-rotated");
  }
}
