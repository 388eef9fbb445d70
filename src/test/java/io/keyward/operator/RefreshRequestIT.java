package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.testing.TokenServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which refresh request was acted on is kept with the credential in the state Secret: a restarted
 * operator facing a status that lost it (status is no store) does not refresh a second time.
 */
class RefreshRequestIT extends OperatorHarness {
  @Test
  void aRefreshRequestIsActedOnOnceAcrossARestartEvenWhenStatusForgotIt() {
    tokens.expiresIn(3600);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");

    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
        client.resources(ApiConnector.class).inNamespace(NS).withName("crm").edit(c -> {
          c.getMetadata().getAnnotations().put(ApiConnector.REFRESH_REQUESTED_AT, "2026-12-01T23:00:00Z");
          return c;
        }));
    awaitOutput("crm-credentials", v -> TokenServer.token(2).equals(v.get("token")));
    await().atMost(Duration.ofSeconds(10)).until(() -> "2026-12-01T23:00:00Z"
        .equals(cluster.secretValues(NS, "crm-keyward-state").get("refresh-request-handled")));
    await().atMost(Duration.ofSeconds(10)).until(() -> "RefreshRequested".equals(connector("crm").getStatus().lastIssueReason));

    // the operator restarts, and the status it finds no longer says which request was handled
    operator.close();
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
      client.resources(ApiConnector.class).inNamespace(NS).withName("crm").editStatus(c -> {
        c.getStatus().lastRefreshRequest = null;
        return c;
      });
      assertThat(connector("crm").getStatus().lastRefreshRequest).isNull();
    });
    operator = startOperator();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> reconciles() >= 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> connector("crm").getStatus().lastRefreshRequest != null);
    assertThat(tokens.issuedCount()).as("the request was acted on once").isEqualTo(2);
    assertThat(connector("crm").getStatus().lastRefreshRequest).isEqualTo("2026-12-01T23:00:00Z");
    assertNoSecretValueLeaked();
  }
}
