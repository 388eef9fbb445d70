package io.keyward.operator;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPRequest;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPResponse;
import io.keyward.credential.http.HttpLimits;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
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
  /**
   * A leader keeps the Lease through any stall shorter than the renew deadline (7 s), and a standby
   * takes it only after a lease duration (10 s) without a renewal: a loaded machine's 1-3 s stalls
   * cannot move it (before: 3 s / 2 s, which a GC pause or a busy CPU could).
   */
  static OperatorSettings elected(String identity) {
    return testSettings().withLeaderElection(new OperatorSettings.LeaderElection("keyward-operator", "keyward-system",
        identity, Duration.ofSeconds(10), Duration.ofSeconds(7), Duration.ofMillis(500), false));
  }

  /** Counts the token requests one replica sends. */
  static HttpSender counting(AtomicInteger calls) {
    HttpSender sender = Loopback.sender();
    sender.observe(new io.keyward.credential.http.HostObserver() {
      @Override
      public void requested(String host) {
        calls.incrementAndGet();
      }
    });
    return sender;
  }

  Lease lease() {
    return client.leases().inNamespace("keyward-system").withName("keyward-operator").get();
  }

  static int transitions(Lease lease) {
    return lease.getSpec().getLeaseTransitions() == null ? 0 : lease.getSpec().getLeaseTransitions();
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
    Lease acquired = await().atMost(Duration.ofSeconds(30)).until(this::lease,
        l -> l != null && "replica-a".equals(l.getSpec().getHolderIdentity()));
    KeywardOperator standby = startOperator(elected("replica-b"), counting(second));
    try {
      // renewed at half-life, every 2 s: the lifetime only paces the leader's calls
      tokens.expiresIn(4);
      cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
      create(connector("crm", auth -> {
        auth.oauth2 = new OAuth2Auth();
        auth.oauth2.tokenUrl = tokens.tokenUrl();
        auth.oauth2.clientId = "crm-client";
        auth.oauth2.clientSecretRef = new SecretKeyRef("crm-oauth", "client-secret");
      }));

      await().atMost(Duration.ofSeconds(30)).until(() -> first.get() >= 3);
      int standbyCalls = second.get();
      // read after the count: the Lease never left replica-a, so the standby never led and could not call
      Lease held = lease();
      assertThat(held.getSpec().getHolderIdentity()).isEqualTo("replica-a");
      assertThat(transitions(held)).as("lease transitions while replica-a led").isEqualTo(transitions(acquired));
      assertThat(standbyCalls).as("token requests from the standby").isZero();

      operator.close(); // the Lease is not released: the standby takes it once it has not been renewed for 10 s
      int before = tokens.issuedCount();
      await().atMost(Duration.ofSeconds(60)).until(() -> second.get() >= 2);
      assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("replica-b");
      assertThat(tokens.issuedCount()).isGreaterThan(before);
      awaitCondition("crm", "Ready", "True", "CredentialIssued");
    } finally {
      standby.close();
    }
  }
}
