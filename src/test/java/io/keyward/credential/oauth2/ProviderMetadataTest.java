package io.keyward.credential.oauth2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.SecretValues;
import io.keyward.local.DemoProvider;
import io.keyward.testing.Loopback;
import io.keyward.testing.SteppingClock;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * spec.auth.oauth2.issuerUrl: the endpoints a spec leaves out come from the issuer's metadata
 * (OpenID Connect Discovery, else RFC 8414), read once an hour; a document for another issuer, or
 * none, is a clear terminal failure.
 */
class ProviderMetadataTest {
  static final SecretKeyRef SECRET_REF = new SecretKeyRef("demo-client", "client-secret");

  final SteppingClock clock = new SteppingClock(Instant.now());
  final OAuth2Issuer issuer = new OAuth2Issuer(Loopback.sender());
  DemoProvider demo = new DemoProvider(0, clock, Duration.ofMinutes(10));
  TokenServer server;

  @AfterEach
  void stop() {
    demo.close();
    if (server != null) {
      server.close();
    }
  }

  OAuth2Auth byIssuer(String issuerUrl) {
    OAuth2Auth a = new OAuth2Auth();
    a.issuerUrl = issuerUrl;
    a.clientId = DemoProvider.CLIENT_ID;
    a.clientSecretRef = SECRET_REF;
    return a;
  }

  IssueContext context() {
    return new IssueContext(SecretValues.of(Map.of(SECRET_REF, DemoProvider.CLIENT_SECRET)), clock,
        Duration.ofHours(1));
  }

  @Test
  void anIssuerAloneIsEnoughAndItsMetadataIsReadOnceAnHour() throws Exception {
    OAuth2Auth auth = byIssuer(demo.issuerUrl());
    IssuedCredential first = issuer.issue(auth, context());
    assertThat(first.headerValue()).startsWith("Bearer ");
    issuer.issue(auth, context());
    issuer.issue(auth, context());
    assertThat(demo.issuedCount()).isEqualTo(3);
    assertThat(demo.metadataReads()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(61));
    issuer.issue(auth, context());
    assertThat(demo.metadataReads()).isEqualTo(2);
    assertThat(auth.tokenUrl).as("the spec is not changed").isNull();
  }

  @Test
  void theOtherEndpointsComeFromTheMetadataTooAndTheSpecWins() throws Exception {
    OAuth2Auth resolved = issuer.discovered(byIssuer(demo.issuerUrl()), context());
    assertThat(resolved.tokenUrl).isEqualTo(demo.tokenUrl());
    assertThat(resolved.authorizationUrl).isEqualTo(demo.authorizationUrl());
    assertThat(resolved.deviceAuthorizationUrl).isEqualTo(demo.deviceAuthorizationUrl());
    assertThat(resolved.revocationUrl).isEqualTo(demo.revocationUrl());

    OAuth2Auth own = byIssuer(demo.issuerUrl());
    own.authorizationUrl = "https://login.example.com/own-authorize";
    assertThat(issuer.discovered(own, context()).authorizationUrl).isEqualTo("https://login.example.com/own-authorize");

    String access = issuer.issue(byIssuer(demo.issuerUrl()), context()).token();
    issuer.revoke(byIssuer(demo.issuerUrl()), context(), access, false);
    assertThat(demo.revocations()).containsExactly("access_token");
  }

  @Test
  void aConnectorThatNamesWhatItUsesDoesNotAskTheMetadata() throws Exception {
    OAuth2Auth auth = byIssuer(demo.issuerUrl().replace("127.0.0.1", "127.0.0.1") + "/nothing-served-here");
    auth.tokenUrl = demo.tokenUrl();
    assertThat(issuer.issue(auth, context()).headerValue()).startsWith("Bearer ");
    assertThat(demo.metadataReads()).isZero();
  }

  @Test
  void rfc8414MetadataIsReadWhenThereIsNoOpenIdConfiguration() throws Exception {
    server = new TokenServer().client(DemoProvider.CLIENT_ID, DemoProvider.CLIENT_SECRET);
    String base = server.tokenUrl().replace("/oauth2/token", "");
    server.override(r -> switch (r.path()) {
      case "/tenant/.well-known/openid-configuration" -> Response.json(404, "{}");
      case "/.well-known/oauth-authorization-server/tenant" -> Response.json(200,
          "{\"issuer\":\"" + base + "/tenant\",\"token_endpoint\":\"" + server.tokenUrl() + "\"}");
      default -> null;
    });
    IssuedCredential issued = issuer.issue(byIssuer(base + "/tenant"), context());
    assertThat(issued.headerValue()).startsWith("Bearer ");
  }

  @Test
  void aDocumentForAnotherIssuerOrNoneAtAllIsNamed() throws Exception {
    server = new TokenServer();
    String base = server.tokenUrl().replace("/oauth2/token", "");
    server.override(r -> r.path().equals("/.well-known/openid-configuration")
        ? Response.json(200, "{\"issuer\":\"https://evil.example.com\",\"token_endpoint\":\"" + server.tokenUrl() + "\"}")
        : Response.json(404, "{}"));
    assertThatThrownBy(() -> issuer.issue(byIssuer(base), context()))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isTrue();
          assertThat(e.reason()).isEqualTo("InvalidProviderMetadata");
          assertThat(e.getMessage()).contains("names another issuer");
        });
    assertThatThrownBy(() -> issuer.issue(byIssuer(base + "/nothing"), context()))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("ProviderMetadataNotFound");
          assertThat(e.getMessage()).contains("HTTP 404");
        });
    assertThat(server.issuedCount()).as("no token request without an endpoint").isZero();
  }
}
