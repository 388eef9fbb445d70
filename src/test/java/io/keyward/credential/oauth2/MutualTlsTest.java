package io.keyward.credential.oauth2;

import io.keyward.testing.Loopback;
import io.keyward.credential.http.HttpSender;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.SecretValues;
import io.keyward.testing.TestPki;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** tls_client_auth and private CA bundles against an HTTPS token endpoint on loopback. */
class MutualTlsTest {
  static final SecretKeyRef CERT = new SecretKeyRef("crm-mtls", "tls.crt");
  static final SecretKeyRef KEY = new SecretKeyRef("crm-mtls", "tls.key");
  static final SecretKeyRef CA = new SecretKeyRef("corp-ca", "ca.crt");
  static final SecretKeyRef SECRET = new SecretKeyRef("crm-oauth", "client-secret");
  static final String OK = "{\"access_token\":\"mtls-token\",\"token_type\":\"Bearer\",\"expires_in\":300}";
  static TestPki pki;

  TokenServer server;
  final OAuth2Issuer issuer = new OAuth2Issuer(Loopback.sender());

  @BeforeAll
  static void pki() throws Exception {
    pki = new TestPki();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  IssueContext context() throws Exception {
    return new IssueContext(SecretValues.of(Map.of(CERT, pki.client.certificatePem(), KEY, pki.client.keyPem(),
        CA, pki.ca.certificatePem(), SECRET, "s3cret")),
        Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC), Duration.ofHours(1));
  }

  OAuth2Auth auth() {
    OAuth2Auth a = new OAuth2Auth();
    a.tokenUrl = server.tokenUrl();
    a.clientId = "crm-client";
    a.caBundleRef = CA;
    return a;
  }

  @Test
  void theTokenEndpointSeesTheClientCertificate() throws Exception {
    server = new TokenServer(pki.serverContext(), true).override(r ->
        r.clientCertificateSubject() != null && r.clientCertificateSubject().contains("CN=crm-client") ? Response.json(200, OK)
            : Response.json(401, "{\"error\":\"invalid_client\"}"));
    OAuth2Auth a = auth();
    a.clientAuthentication = OAuth2Auth.ClientAuthentication.tlsClientAuth;
    a.clientCertificateRef = CERT;
    a.clientKeyRef = KEY;

    assertThat(issuer.issue(a, context()).token()).isEqualTo("mtls-token");

    TokenServer.Request r = server.requests().get(0);
    assertThat(r.form()).containsEntry("client_id", "crm-client").doesNotContainKey("client_secret");
    assertThat(r.header("Authorization")).isNull();
  }

  @Test
  void aPrivateCaBundleIsTrustedForASecretBasedClient() throws Exception {
    server = new TokenServer(pki.serverContext(), false).override(r -> Response.json(200, OK));
    OAuth2Auth a = auth();
    a.clientSecretRef = SECRET;

    assertThat(issuer.issue(a, context()).token()).isEqualTo("mtls-token");
    assertThat(server.requests().get(0).header("Authorization")).startsWith("Basic ");
  }

  @Test
  void withoutTheCaBundleThePrivateEndpointIsNotTrusted() throws Exception {
    server = new TokenServer(pki.serverContext(), false).override(r -> Response.json(200, OK));
    OAuth2Auth a = auth();
    a.caBundleRef = null;
    a.clientSecretRef = SECRET;

    assertThatThrownBy(() -> issuer.issue(a, context()))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("TlsHandshakeFailed");
          assertThat(e.getMessage()).contains("caBundleRef");
        });
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void tlsClientAuthWithoutACertificateNamesTheField() throws Exception {
    server = new TokenServer(pki.serverContext(), true);
    OAuth2Auth a = auth();
    a.clientAuthentication = OAuth2Auth.ClientAuthentication.tlsClientAuth;

    assertThatThrownBy(() -> issuer.issue(a, context()))
        .isInstanceOfSatisfying(CredentialException.class,
            e -> assertThat(e.getMessage()).startsWith("spec.auth.oauth2.clientCertificateRef"));
  }
}
