package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorSpec;
import io.keyward.testing.Loopback;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * deletionPolicy through the operator: Revoke holds the deletion (a finalizer) until the refresh and
 * access tokens are revoked at the provider's RFC 7009 endpoint, or gives up after the revocation
 * timeout when the provider is down; Retain carries no finalizer and sends nothing.
 */
class RevocationIT extends OperatorHarness {
  final List<TokenServer.Request> revocations = new CopyOnWriteArrayList<>();
  final AtomicBoolean revocationDown = new AtomicBoolean();

  void revocationEndpoint() {

    tokens.override(r -> {
      if (!r.path().equals("/oauth2/revoke")) {
        return null; // the token endpoint answers as usual
      }
      revocations.add(r);
      return revocationDown.get() ? Response.json(503, "{\"error\":\"temporarily_unavailable\"}")
          : new Response(200, "application/json", new byte[0], Map.of());
    });
  }

  ApiConnector revoking(String name) {
    ApiConnector c = refreshing(name);
    c.getSpec().deletionPolicy = ApiConnectorSpec.DeletionPolicy.Revoke;
    c.getSpec().auth.oauth2.revocationUrl = tokens.tokenUrl().replace("/oauth2/token", "/oauth2/revoke");
    return c;
  }

  void delete(String name) {
    client.resources(ApiConnector.class).inNamespace(NS).withName(name).delete();
  }

  @Test
  void revokeRevokesTheRefreshAndAccessTokensBeforeTheConnectorGoes() throws Exception {
    revocationEndpoint();
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed("seed-refresh-token-1");
    create(revoking("crm"));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    await().atMost(Duration.ofSeconds(15)).until(() -> connector("crm").hasFinalizer(Revocation.FINALIZER));
    String access = cluster.secretValues(NS, "crm-credentials").get("token");
    String rotated = cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token");
    secretValues.add(access);
    secretValues.add(rotated);

    delete("crm");
    await().atMost(Duration.ofSeconds(15)).until(() -> connector("crm") == null);

    assertThat(revocations).extracting(r -> r.form().get("token"), r -> r.form().get("token_type_hint"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(rotated, "refresh_token"),
            org.assertj.core.groups.Tuple.tuple(access, "access_token"));
    assertThat(revocations).allSatisfy(r -> assertThat(TokenServer.presentedClient(r))
        .containsExactly("crm-client", CLIENT_SECRET));
    assertThat(eventReasons("crm")).contains("Revoked");
    assertNoSecretValueLeaked();
  }

  @Test
  void aSeedThatANewOneReplacedIsRevokedOnceTheNewOneIsInUse() throws Exception {
    revocationEndpoint();
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed("seed-refresh-token-5");
    create(revoking("crm"));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    String kept = cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token");
    secretValues.add(kept);
    assertThat(revocations).isEmpty();

    seed("seed-refresh-token-6"); // a person re-authorised
    await().atMost(Duration.ofSeconds(15)).until(() -> eventReasons("crm").contains("Reauthorized"));
    await().atMost(Duration.ofSeconds(15)).until(() -> eventReasons("crm").contains("Revoked"));
    assertThat(revocations).extracting(r -> r.form().get("token"), r -> r.form().get("token_type_hint"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(kept, "refresh_token"));
    assertThat(connector("crm")).as("the connector stays").isNotNull();
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertNoSecretValueLeaked();
  }

  @Test
  void aProviderWhoseRevocationEndsTheGrantKeepsTheReplacedSeed() throws Exception {
    revocationEndpoint();
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed("seed-refresh-token-7");
    ApiConnector c = revoking("crm");
    c.getSpec().auth.oauth2.revokeReplacedSeed = false; // as the QuickBooks and Xero profiles say
    create(c);
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    seed("seed-refresh-token-8");
    await().atMost(Duration.ofSeconds(15)).until(() -> eventReasons("crm").contains("Reauthorized"));
    // the status is written once the issue, and any revocation after it, has ended
    await().atMost(Duration.ofSeconds(15)).until(() -> connector("crm").getStatus().lastIssueReason,
        "InputsChanged"::equals);
    assertThat(revocations).isEmpty();
  }

  @Test
  void aProviderThatIsDownDelaysTheDeletionOnlyUpToTheTimeout() throws Exception {
    operator.close();
    operator = startOperator(testSettings().withRevocationTimeout(Duration.ofSeconds(3)), Loopback.sender());
    revocationEndpoint();
    revocationDown.set(true);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed("seed-refresh-token-2");
    create(revoking("crm"));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    await().atMost(Duration.ofSeconds(15)).until(() -> connector("crm").hasFinalizer(Revocation.FINALIZER));

    delete("crm");
    assertThat(connector("crm")).as("held while the provider is retried").isNotNull();
    await().atMost(Duration.ofSeconds(30)).until(() -> connector("crm") == null);
    assertThat(revocations).as("tried more than once").hasSizeGreaterThan(1);
    assertThat(eventReasons("crm")).contains("RevocationFailed", "RevocationAbandoned");
    assertNoSecretValueLeaked();
  }

  @Test
  void retainCarriesNoFinalizerAndSendsNothing() throws Exception {
    revocationEndpoint();
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed("seed-refresh-token-3");
    ApiConnector c = revoking("crm");
    c.getSpec().deletionPolicy = null; // Retain
    create(c);
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(connector("crm").getMetadata().getFinalizers()).isNullOrEmpty();
    delete("crm");
    await().atMost(Duration.ofSeconds(15)).until(() -> connector("crm") == null);
    // a revocation would have held the deletion: once the connector is gone, none can follow
    assertThat(revocations).isEmpty();
  }

  @Test
  void turningRevokeOffTakesTheFinalizerAway() throws Exception {
    revocationEndpoint();
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed("seed-refresh-token-4");
    create(revoking("crm"));
    await().atMost(Duration.ofSeconds(15)).until(() -> connector("crm").hasFinalizer(Revocation.FINALIZER));
    client.resources(ApiConnector.class).inNamespace(NS).withName("crm").edit(x -> {
      x.getSpec().deletionPolicy = ApiConnectorSpec.DeletionPolicy.Retain;
      return x;
    });
    await().atMost(Duration.ofSeconds(15)).until(() -> !connector("crm").hasFinalizer(Revocation.FINALIZER));
  }
}
