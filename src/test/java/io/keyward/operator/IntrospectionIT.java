package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * spec.auth.oauth2.introspection.interval through the operator: the published token is introspected
 * again every interval; while the provider says active nothing is refreshed, and once it says
 * active: false (revoked there) a new token is published at once, with a TokenInactive warning.
 */
class IntrospectionIT extends OperatorHarness {
  final Set<String> revoked = ConcurrentHashMap.newKeySet();

  long introspections() {
    return tokens.requests().stream().filter(r -> r.path().equals("/oauth2/introspect")).count();
  }

  @Test
  void aTokenRevokedAtTheProviderIsReplacedAtTheNextIntrospection() throws Exception {
    tokens.override(r -> !r.path().equals("/oauth2/introspect") ? null
        : Response.json(200, revoked.contains(r.form().get("token")) ? "{\"active\":false}" : "{\"active\":true}"));
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    ApiConnector c = oauth2("crm");
    c.getSpec().auth.oauth2.introspection = new OAuth2Auth.Introspection();
    c.getSpec().auth.oauth2.introspection.url = tokens.tokenUrl().replace("/oauth2/token", "/oauth2/introspect");
    c.getSpec().auth.oauth2.introspection.interval = "10s";
    create(c);
    String first = awaitOutput("crm-credentials", v -> v.get("token") != null).get("token");
    assertThat(introspections()).as("at issue").isEqualTo(1);

    await().atMost(Duration.ofSeconds(40)).until(this::introspections, n -> n >= 2);
    assertThat(tokens.issuedCount()).as("an active token is kept").isEqualTo(1);

    revoked.add(first);
    String second = await().atMost(Duration.ofSeconds(40))
        .until(() -> cluster.secretValues(NS, "crm-credentials").get("token"), t -> t != null && !t.equals(first));
    assertThat(second).isEqualTo(TokenServer.token(2));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(connector("crm").getStatus().lastIssueReason).isEqualTo("TokenInactive");
    assertThat(eventReasons("crm")).contains("TokenInactive");
    assertThat(connector("crm").getStatus().condition("Degraded").orElseThrow().status).isEqualTo("False");
    assertNoSecretValueLeaked();
  }
}
