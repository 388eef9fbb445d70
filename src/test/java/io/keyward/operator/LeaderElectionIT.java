package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPRequest;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPResponse;
import io.keyward.credential.http.HttpLimits;
import io.fabric8.mockwebserver.http.MockResponse;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.http.HttpSender;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Two replicas on one API server: only the leader calls the token endpoint; the other takes over. */
class LeaderElectionIT extends OperatorHarness {
  static OperatorSettings elected(String identity) {
    return testSettings().withLeaderElection(new OperatorSettings.LeaderElection("keyward-operator", "keyward-system",
        identity, Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(500), false));
  }

  /** Counts the token requests one replica sends. */
  static HttpSender counting(AtomicInteger calls) {
    return new HttpSender(HttpLimits.defaults()) {
      @Override
      public ReadOnlyHTTPResponse send(ReadOnlyHTTPRequest request) throws java.io.IOException {
        calls.incrementAndGet();
        return super.send(request);
      }
    };
  }

  @Test
  void onlyTheLeaderRefreshesAndTheOtherTakesOverWhenItStops() {
    cluster.intercept(r -> "POST".equals(r.getMethod()) && r.getPath().contains("selfsubjectrulesreviews")
        ? new MockResponse().setResponseCode(201).setBody("{\"apiVersion\":\"authorization.k8s.io/v1\","
            + "\"kind\":\"SelfSubjectRulesReview\",\"status\":{\"incomplete\":false,\"resourceRules\":"
            + "[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],\"resources\":[\"*\"]}],\"nonResourceRules\":[]}}")
        : null);
    operator.close(); // the harness's unelected instance
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    operator = startOperator(elected("replica-a"), counting(first));
    await().atMost(Duration.ofSeconds(10)).until(() ->
        client.leases().inNamespace("keyward-system").withName("keyward-operator").get() != null);
    KeywardOperator standby = startOperator(elected("replica-b"), counting(second));
    try {
      tokens.expiresIn(2);
      cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
      create(connector("crm", auth -> {
        auth.oauth2 = new OAuth2Auth();
        auth.oauth2.tokenUrl = tokens.tokenUrl();
        auth.oauth2.clientId = "crm-client";
        auth.oauth2.clientSecretRef = new SecretKeyRef("crm-oauth", "client-secret");
      }));

      await().atMost(Duration.ofSeconds(15)).until(() -> first.get() >= 3);
      assertThat(second.get()).as("token requests from the standby").isZero();
      assertThat(client.leases().inNamespace("keyward-system").withName("keyward-operator").get()
          .getSpec().getHolderIdentity()).isEqualTo("replica-a");

      operator.close();
      int before = tokens.issuedCount();
      await().atMost(Duration.ofSeconds(20)).until(() -> second.get() >= 2);
      assertThat(tokens.issuedCount()).isGreaterThan(before);
      awaitCondition("crm", "Ready", "True", "CredentialIssued");
    } finally {
      standby.close();
    }
  }
}
