package io.keyward.credential.oauth2;

import io.keyward.credential.http.HttpSender;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.SecretValues;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The OAuth 2.0 issuer against a real token endpoint on loopback. */
class OAuth2IssuerTest extends TokenEndpointFixture {
  @Test
  void clientSecretBasicSendsScopesAudienceAndExtraParameters() throws Exception {
    OAuth2Auth a = auth();
    a.scopes = List.of("crm.read", "crm.write");
    a.audience = "https://api.example.com";
    a.extraParams = Map.of("resource", "urn:crm");

    IssuedCredential c = issuer.issue(a, context);

    assertThat(c.headerName()).isEqualTo("Authorization");
    assertThat(c.headerValue()).isEqualTo("Bearer " + TokenServer.token(1));
    assertThat(c.token()).isEqualTo(TokenServer.token(1));
    assertThat(c.tokenType()).isEqualTo("Bearer");
    assertThat(c.issuedAt()).isEqualTo(NOW);
    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
    TokenServer.Request r = server.requests().get(0);
    assertThat(r.header("Authorization")).startsWith("Basic ");
    assertThat(r.form()).containsEntry("grant_type", "client_credentials")
        .containsEntry("scope", "crm.read crm.write")
        .containsEntry("audience", "https://api.example.com")
        .containsEntry("resource", "urn:crm")
        .doesNotContainKey("client_secret");
  }

  @Test
  void theTokenGoesInTheHeaderAndWithThePrefixTheSpecNames() throws Exception {
    OAuth2Auth own = auth();
    own.header = "X-Shopify-Access-Token";
    IssuedCredential bare = issuer.issue(own, context);
    assertThat(bare.headerName()).isEqualTo("X-Shopify-Access-Token");
    assertThat(bare.headerValue()).as("no scheme in a header of its own").isEqualTo(TokenServer.token(1));
    assertThat(bare.token()).isEqualTo(TokenServer.token(1));
    assertThat(bare.tokenType()).isEqualTo("Bearer");

    OAuth2Auth scheme = auth();
    scheme.prefix = "Token ";
    IssuedCredential token = issuer.issue(scheme, context);
    assertThat(token.headerName()).isEqualTo("Authorization");
    assertThat(token.headerValue()).isEqualTo("Token " + TokenServer.token(2));

    OAuth2Auth both = auth();
    both.header = "X-Auth";
    both.prefix = "Bearer ";
    assertThat(issuer.issue(both, context).headerValue()).isEqualTo("Bearer " + TokenServer.token(3));
  }

  /** A provider with opaque tokens: no expires_in; its introspection endpoint knows when each expires. */
  void opaqueTokensWithIntrospection(boolean active, String expiresIn) {
    server.override(r -> {
      if (r.path().endsWith("/introspect")) {
        String[] client = TokenServer.presentedClient(r);
        if (client == null || !"my-client".equals(client[0]) || !SECRET.equals(client[1])) {
          return Response.json(401, "{\"error\":\"invalid_client\"}");
        }
        return Response.json(200, !active || !"opaque-7f".equals(r.form().get("token")) ? "{\"active\":false}"
            : "{\"active\":true,\"client_id\":\"my-client\",\"exp\":" + NOW.plusSeconds(900).getEpochSecond() + "}");
      }
      return Response.json(200, "{\"access_token\":\"opaque-7f\",\"token_type\":\"Bearer\"" + expiresIn + "}");
    });
  }

  OAuth2Auth introspecting() {
    OAuth2Auth a = auth();
    a.introspection = new OAuth2Auth.Introspection();
    a.introspection.url = server.tokenUrl().replace("/oauth2/token", "/oauth2/introspect");
    return a;
  }

  @Test
  void anOpaqueTokenWithoutExpiresInExpiresWhenIntrospectionSays() throws Exception {
    opaqueTokensWithIntrospection(true, "");
    IssuedCredential c = issuer.issue(introspecting(), context);
    assertThat(c.expiresAt()).as("exp of the introspection answer, not the 45m default").isEqualTo(NOW.plusSeconds(900));
    TokenServer.Request introspection = server.requests().get(1);
    assertThat(introspection.path()).isEqualTo("/oauth2/introspect");
    assertThat(introspection.form()).containsEntry("token", "opaque-7f");
    assertThat(introspection.header("Authorization")).startsWith("Basic ");
  }

  @Test
  void aSoonerExpiresInOfTheTokenResponseIsKept() throws Exception {
    opaqueTokensWithIntrospection(true, ",\"expires_in\":300");
    assertThat(issuer.issue(introspecting(), context).expiresAt()).isEqualTo(NOW.plusSeconds(300));
  }

  @Test
  void aTokenTheProviderSaysIsInactiveIsNotPublishedAndIsRetried() {
    opaqueTokensWithIntrospection(false, "");
    assertThatThrownBy(() -> issuer.issue(introspecting(), context)).isInstanceOfSatisfying(CredentialException.class,
        e -> {
          assertThat(e.reason()).isEqualTo("TokenInactive");
          assertThat(e.isTerminal()).isFalse();
          assertThat(e.getMessage()).doesNotContain("opaque-7f");
        });
  }

  @Test
  void scopesAreJoinedWithTheSeparatorTheSpecNames() throws Exception {
    OAuth2Auth a = auth();
    a.scopes = List.of("contacts", "deals.read");
    a.scopeSeparator = ",";
    issuer.issue(a, context);
    assertThat(server.requests().get(0).form()).containsEntry("scope", "contacts,deals.read");
  }

  @Test
  void aHeaderThatIsNoHeaderNameIsRefusedBeforeTheProviderIsCalled() {
    OAuth2Auth a = auth();
    a.header = "X-Token\r\nX-Evil";
    assertThatThrownBy(() -> issuer.issue(a, context)).isInstanceOfSatisfying(CredentialException.class, e -> {
      assertThat(e.reason()).isEqualTo("InvalidConfiguration");
      assertThat(e.getMessage()).startsWith("spec.auth.oauth2.header");
    });
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void accountCredentialsSendsItsGrantTypeAndTheAccountWithTheClientInBasic() throws Exception {
    server.override(r -> Response.json(200, "{\"access_token\":\"zm\",\"token_type\":\"bearer\",\"expires_in\":3599}"));
    OAuth2Auth a = auth();
    a.grant = OAuth2Auth.Grant.accountCredentials;
    a.extraParams = Map.of("account_id", "AbC123");
    IssuedCredential c = issuer.issue(a, context);
    TokenServer.Request r = server.requests().get(0);
    assertThat(r.form()).containsEntry("grant_type", "account_credentials").containsEntry("account_id", "AbC123")
        .doesNotContainKey("client_secret");
    assertThat(TokenServer.presentedClient(r)).containsExactly("my-client", SECRET);
    assertThat(c.headerValue()).isEqualTo("Bearer zm");
  }

  @Test
  void clientSecretPostPutsTheCredentialsInTheBody() throws Exception {
    OAuth2Auth a = auth();
    a.clientAuthentication = OAuth2Auth.ClientAuthentication.clientSecretPost;

    issuer.issue(a, context);

    TokenServer.Request r = server.requests().get(0);
    assertThat(r.header("Authorization")).isNull();
    assertThat(r.form()).containsEntry("client_id", "my-client").containsEntry("client_secret", SECRET);
  }

  @Test
  void clientIdMayComeFromASecret() throws Exception {
    SecretKeyRef idRef = new SecretKeyRef("crm-oauth", "client-id");
    OAuth2Auth a = auth();
    a.clientId = null;
    a.clientIdRef = idRef;
    var ctx = new IssueContext(SecretValues.of(Map.of(SECRET_REF, SECRET, idRef, "my-client\n")), context.clock(),
        context.defaultLifetime());

    assertThat(issuer.issue(a, ctx).token()).isEqualTo(TokenServer.token(1));
  }

  @Test
  void expiresInAsAStringIsUnderstood() throws Exception {
    server.override(r -> Response.json(200, "{\"access_token\":\"t\",\"token_type\":\"bearer\",\"expires_in\":\"120\"}"));

    IssuedCredential c = issuer.issue(auth(), context);

    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(120));
    assertThat(c.headerValue()).isEqualTo("Bearer t");
  }

  @Test
  void withoutExpiresInTheJwtExpClaimIsUsed() throws Exception {
    Instant exp = NOW.plusSeconds(900);
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
        new JWTClaimsSet.Builder().subject("x").expirationTime(Date.from(exp)).build());
    jwt.sign(new MACSigner("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
    String token = jwt.serialize();
    server.override(r -> Response.json(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\"}"));

    assertThat(issuer.issue(auth(), context).expiresAt()).isEqualTo(exp);
  }

  @Test
  void withoutAnyExpiryTheDefaultLifetimeIsAssumedAndAMissingTokenTypeMeansBearer() throws Exception {
    server.override(r -> Response.json(200, "{\"access_token\":\"opaque\"}"));

    IssuedCredential c = issuer.issue(auth(), context);

    assertThat(c.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(45)));
    assertThat(c.headerValue()).isEqualTo("Bearer opaque");
  }

  @Test
  void invalidClientIsTerminalAndShowsNeitherTheSecretNorTheBody() {
    server.client("my-client", "another-secret");

    assertThatThrownBy(() -> issuer.issue(auth(), context))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isTrue();
          assertThat(e.reason()).isEqualTo("InvalidClient");
          assertThat(e.errorClass()).isEqualTo("invalid_client");
          assertThat(e.getMessage()).contains("invalid_client").contains("401")
              .doesNotContain(SECRET).doesNotContain("another-secret").doesNotContain("bad client");
        });
  }

  @Test
  void serverErrorsAreTransientAndHonourRetryAfter() {
    server.override(r -> new Response(503, "text/plain", "down".getBytes(), Map.of("Retry-After", "30")));

    assertThatThrownBy(() -> issuer.issue(auth(), context))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isFalse();
          assertThat(e.reason()).isEqualTo("TokenEndpointUnavailable");
          assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
          assertThat(e.errorClass()).isEqualTo("server_error");
        });
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
    "400, temporarily_unavailable, server_error",
    "400, server_error,            server_error",
    "400, slow_down,               rate_limited",
    "429, ,                        rate_limited",
  })
  void busyProvidersAreRetriedEvenWhenTheyAnswerA4xx(int status, String code, String errorClass) {
    server.override(r -> Response.json(status, code == null ? "{}" : "{\"error\":\"" + code + "\"}"));

    assertThatThrownBy(() -> issuer.issue(auth(), context))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isFalse();
          assertThat(e.reason()).isEqualTo("TokenEndpointUnavailable");
          assertThat(e.errorClass()).isEqualTo(errorClass);
        });
  }

  @Test
  void anUnknownErrorCodeIsTerminalAndIsNotALabel() {
    server.override(r -> Response.json(400, "{\"error\":\"tenant_suspended_4f1c\"}"));

    assertThatThrownBy(() -> issuer.issue(auth(), context))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isTrue();
          assertThat(e.errorClass()).isEqualTo("rejected");
        });
  }

  @Test
  void tooManyRequestsIsTransient() {
    server.override(r -> Response.json(429, "{}"));

    assertThatThrownBy(() -> issuer.issue(auth(), context))
        .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.isTerminal()).isFalse());
  }

  @Test
  void anHtmlPageIsAClearErrorWithoutItsContent() {
    server.override(r -> new Response(200, "text/html; charset=utf-8",
        "<html><body>Login page secret-marker</body></html>".getBytes(), Map.of()));

    assertThatThrownBy(() -> issuer.issue(auth(), context))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("InvalidTokenResponse");
          assertThat(e.getMessage()).contains("not a JSON object").contains("text/html").doesNotContain("secret-marker");
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"token_type\":\"Bearer\",\"expires_in\":60}", "{\"access_token\":\"\"}",
      "[1,2,3]", "null", "{\"access_token\":42}"})
  void aResponseWithoutAnAccessTokenIsRejected(String body) {
    server.override(r -> Response.json(200, body));

    assertThatThrownBy(() -> issuer.issue(auth(), context))
        .isInstanceOfSatisfying(CredentialException.class, e -> assertThat(e.reason()).isEqualTo("InvalidTokenResponse"));
  }

  @Test
  void aBodyOfManyMegabytesIsCutOff() {
    byte[] huge = new byte[8 << 20];
    java.util.Arrays.fill(huge, (byte) 'a');
    server.override(r -> new Response(200, "application/json", huge, Map.of()));

    assertThatThrownBy(() -> issuer.issue(auth(), context))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("InvalidTokenResponse");
          assertThat(e.getMessage()).contains("larger than 1048576 bytes");
        });
  }

  @Test
  void aNotFoundPageIsTerminal() {
    server.override(r -> new Response(404, "text/html", "<h1>nope</h1>".getBytes(), Map.of()));

    assertThatThrownBy(() -> issuer.issue(auth(), context))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isTrue();
          assertThat(e.getMessage()).contains("HTTP 404").doesNotContain("nope");
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"not a url", "ftp://example.com/token", "/oauth2/token", "https://user:pw@example.com/t"})
  void aMalformedTokenUrlNamesTheField(String url) {
    OAuth2Auth a = auth();
    a.tokenUrl = url;

    assertThatThrownBy(() -> issuer.issue(a, context))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isTrue();
          assertThat(e.reason()).isEqualTo("InvalidConfiguration");
          assertThat(e.getMessage()).startsWith("spec.auth.oauth2.tokenUrl").doesNotContain("pw");
        });
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void anUnreachableEndpointIsTransient() {
    OAuth2Auth a = auth();
    server.close();

    assertThatThrownBy(() -> issuer.issue(a, context))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isFalse();
          assertThat(e.reason()).isEqualTo("TokenEndpointUnreachable");
        });
  }

  @Test
  void plainHttpToARemoteHostIsFlagged() throws Exception {
    // the rule itself, on URLs nothing is sent to: a remote host over http is flagged, https and loopback are not
    assertThat(OAuth2Issuer.notices(java.net.URI.create("http://login.example.com/oauth2/token")))
        .extracting(io.keyward.credential.Notice::reason).containsExactly("InsecureTokenUrl");
    assertThat(OAuth2Issuer.notices(java.net.URI.create("https://login.example.com/oauth2/token"))).isEmpty();
    for (String loopback : List.of("http://127.0.0.1:8080/t", "http://localhost/t", "http://[::1]:9/t")) {
      assertThat(OAuth2Issuer.notices(java.net.URI.create(loopback))).as(loopback).isEmpty();
    }
    // and an issue against the loopback endpoint carries no notice
    assertThat(issuer.issue(auth(), context).notices()).isEmpty();
  }
}
