package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyward.api.v1alpha1.Condition;
import io.keyward.credential.http.EgressPolicy;
import io.keyward.credential.http.HttpLimits;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.FaultCase;
import io.keyward.testing.CountingListener;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The egress policy as a connector's owner sees it (DESIGN §9): a token endpoint the policy refuses
 * is a terminal EgressDenied condition naming the host and the rule, an Event, no output Secret, and
 * nothing sent; another connector of the same operator is not affected. The refused destination is
 * a loopback address on the deny list with a listener that must receive nothing.
 */
class EgressIT extends OperatorHarness {
  @Test
  @FaultCase("egress-deny-listed")
  void aTokenEndpointOnTheDenyListReceivesNothingAndItsConnectorAloneIsDenied() throws Exception {
    operator.close();
    operator = startOperator(testSettings(),
        new HttpSender(HttpLimits.defaults(), EgressPolicy.local().denying(List.of("127.0.0.2"))));
    try (CountingListener denied = new CountingListener("127.0.0.2")) {
      cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
      var refused = oauth2("crm-denied");
      refused.getSpec().auth.oauth2.tokenUrl = denied.url("http", "/oauth2/token");
      create(refused);
      create(oauth2("crm"));

      Condition degraded = awaitCondition("crm-denied", "Degraded", "True", "EgressDenied");
      assertThat(degraded.message).isEqualTo("token endpoint http://127.0.0.2:" + denied.port()
          + " is refused by the egress policy: deny list entry 127.0.0.2; nothing was sent");
      assertThat(awaitCondition("crm-denied", "Ready", "False", "EgressDenied").message).isEqualTo(degraded.message);
      assertThat(eventReasons("crm-denied")).contains("EgressDenied");
      awaitOutput("crm-credentials", v -> v.get("token") != null);
      awaitCondition("crm", "Ready", "True", "CredentialIssued");

      assertThat(denied.accepted()).as("connections at the denied token endpoint").isZero();
      assertThat(cluster.secretValues(NS, "crm-denied-credentials")).as("no output Secret").isNull();
      assertThat(connector("crm-denied").getStatus().consecutiveFailures).as("terminal: tried once").isEqualTo(1);
      assertNoSecretValueLeaked();
    }
  }

  @Test
  @FaultCase("egress-https-required")
  void theDefaultClusterPolicyRefusesPlainHttpAndLoopback() throws Exception {
    operator.close();
    operator = startOperator(testSettings(), HttpSender.withDefaults());
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));

    Condition degraded = awaitCondition("crm", "Degraded", "True", "EgressDenied");
    assertThat(degraded.message).endsWith("is refused by the egress policy: only https is allowed; nothing was sent");
    assertThat(tokens.requests()).as("requests at the token endpoint").isEmpty();
    assertNoSecretValueLeaked();
  }

  @Test
  @FaultCase("egress-redirect")
  void aTokenEndpointThatRedirectsIsNotFollowedAndTheRedirectTargetReceivesNothing() throws Exception {
    try (CountingListener target = new CountingListener("127.0.0.2")) {
      tokens.override(r -> new io.keyward.testing.TokenServer.Response(307, "text/plain", new byte[0],
          Map.of("Location", target.url("http", "/oauth2/token"))));
      cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
      create(oauth2("crm"));

      Condition degraded = awaitCondition("crm", "Degraded", "True", "TokenRequestRejected");
      assertThat(degraded.message).contains("HTTP 307");
      assertThat(tokens.requests()).hasSize(1);
      assertThat(target.accepted()).as("connections at the redirect's target").isZero();
      assertThat(cluster.secretValues(NS, "crm-credentials")).as("no output Secret").isNull();
      assertNoSecretValueLeaked();
    }
  }
}
