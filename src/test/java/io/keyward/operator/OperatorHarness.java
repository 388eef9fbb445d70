package io.keyward.operator;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorSpec;
import io.keyward.api.v1alpha1.AuthSpec;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.http.HttpSender;
import io.keyward.renewal.Backoff;
import io.keyward.testing.LogCapture;
import io.keyward.testing.MockCluster;
import io.keyward.testing.TokenServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The real operator against the Fabric8 mock API server (CRUD mode) and a real token endpoint on
 * loopback, with helpers that read what a user would see: the output Secret, status, Events, logs.
 */
abstract class OperatorHarness {
  static final String NS = "sales";
  static final String CLIENT_SECRET = "cs-7f3a9d2e-client-secret";

  MockCluster cluster;
  KubernetesClient client;
  TokenServer tokens;
  KeywardOperator operator;
  LogCapture logs;
  final Set<String> secretValues = new HashSet<>(Set.of(CLIENT_SECRET));

  @BeforeEach
  void startHarness() throws Exception {
    logs = new LogCapture();
    cluster = new MockCluster();
    client = cluster.client();
    tokens = new TokenServer().client("crm-client", CLIENT_SECRET);
    var settings = OperatorSettings.defaults()
        .withBackoff(new Backoff(Duration.ofMillis(500), Duration.ofSeconds(2), 2.0));
    operator = startOperator();
  }

  /** What a test set up for its operator (a client, a link): closed after the operator, before the cluster. */
  final List<AutoCloseable> afterOperator = new ArrayList<>();

  @AfterEach
  void stopHarness() throws Exception {
    operator.close();
    for (AutoCloseable c : afterOperator) {
      c.close();
    }
    tokens.close();
    cluster.close();
    logs.close();
  }

  static OperatorSettings testSettings() {
    return OperatorSettings.defaults().withBackoff(new Backoff(Duration.ofMillis(500), Duration.ofSeconds(2), 2.0));
  }

  KeywardOperator startOperator() {
    return startOperator(testSettings(), Loopback.sender());
  }

  KeywardOperator startOperator(OperatorSettings settings, HttpSender http) {
    return startOperator(client, settings, http);
  }

  /** An operator that reaches the API server through {@code via} (e.g. a client whose link a test can cut). */
  KeywardOperator startOperator(KubernetesClient via, OperatorSettings settings, HttpSender http) {
    KeywardOperator started = new KeywardOperator(via, CredentialIssuers.standard(http), settings);
    started.start();
    return started;
  }

  // ---- helpers --------------------------------------------------------------------------------

  ApiConnector oauth2(String name) {
    return connector(name, auth -> {
      auth.oauth2 = new OAuth2Auth();
      auth.oauth2.tokenUrl = tokens.tokenUrl();
      auth.oauth2.clientId = "crm-client";
      auth.oauth2.clientSecretRef = new SecretKeyRef("crm-oauth", "client-secret");
      auth.oauth2.scopes = List.of("crm.read");
    });
  }

  /**
   * An oauth2 connector with a rotating refresh token: the seed in Secret {@code crm-seed}, the client
   * secret in {@code crm-oauth}; {@link #tokens} accepts each refresh token once (invalid_grant on reuse).
   */
  ApiConnector refreshing(String name) {
    return connector(name, auth -> {
      auth.oauth2 = new OAuth2Auth();
      auth.oauth2.grant = OAuth2Auth.Grant.refreshToken;
      auth.oauth2.tokenUrl = tokens.tokenUrl();
      auth.oauth2.clientId = "crm-client";
      auth.oauth2.clientSecretRef = new SecretKeyRef("crm-oauth", "client-secret");
      auth.oauth2.refreshTokenRef = new SecretKeyRef("crm-seed", "refresh-token");
    });
  }

  /** Puts {@code token} into the seed Secret and makes the provider accept it (once). */
  void seed(String token) {
    secretValues.add(token);
    tokens.seedRefreshToken(token);
    cluster.putSecret(NS, "crm-seed", Map.of("refresh-token", token));
  }

  /** A jwt connector that signs with keys Keyward generates (published in {@code <name>-jwks}). */
  static ApiConnector generatedKeys(String name, io.keyward.api.v1alpha1.auth.JwtAuth.Algorithm algorithm,
      io.keyward.api.v1alpha1.auth.JwtAuth.Generate.KeyType type) {
    return connector(name, auth -> {
      auth.jwt = new io.keyward.api.v1alpha1.auth.JwtAuth();
      auth.jwt.algorithm = algorithm;
      auth.jwt.signingKey = new io.keyward.api.v1alpha1.auth.JwtAuth.SigningKey();
      auth.jwt.signingKey.generate = new io.keyward.api.v1alpha1.auth.JwtAuth.Generate();
      auth.jwt.signingKey.generate.type = type;
    });
  }

  static ApiConnector connector(String name, Consumer<AuthSpec> auth) {
    ApiConnector c = new ApiConnector();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    c.setSpec(new ApiConnectorSpec());
    c.getSpec().auth = new AuthSpec();
    auth.accept(c.getSpec().auth);
    return c;
  }

  void create(ApiConnector c) {
    client.resource(c).create();
  }

  ApiConnector connector(String name) {
    return client.resources(ApiConnector.class).inNamespace(NS).withName(name).get();
  }

  Map<String, String> awaitOutput(String name, java.util.function.Predicate<Map<String, String>> accept) {
    return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.secretValues(NS, name), v -> v != null && accept.test(v));
  }

  Condition awaitCondition(String name, String type, String status, String reason) {
    return await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          ApiConnector c = connector(name);
          return c == null || c.getStatus() == null ? null : c.getStatus().condition(type).orElse(null);
        }, c -> c != null && status.equals(c.status) && reason.equals(c.reason));
  }

  void assertOutputMetadata(String connector, String secretName) {
    Secret s = client.secrets().inNamespace(NS).withName(secretName).get();
    assertThat(s.getStringData()).isNullOrEmpty();
    assertThat(s.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "keyward");
    assertThat(s.getMetadata().getAnnotations()).containsEntry("keyward.io/connector", connector)
        .containsKeys("keyward.io/issued-at", "keyward.io/expires-at");
    var owner = s.getMetadata().getOwnerReferences();
    assertThat(owner).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("ApiConnector");
      assertThat(o.getName()).isEqualTo(connector);
      assertThat(o.getUid()).isEqualTo(connector(connector).getMetadata().getUid());
      assertThat(o.getController()).isTrue();
    });
  }

  /** The reasons of the connector's Events, each as often as it happened (an aggregated Event counts its count). */
  List<String> eventReasons(String connector) {
    List<String> reasons = new ArrayList<>();
    for (Event e : client.v1().events().inNamespace(NS).list().getItems()) {
      if (connector.equals(e.getInvolvedObject().getName())) {
        for (int i = 0; i < (e.getCount() == null ? 1 : e.getCount()); i++) {
          reasons.add(e.getReason());
        }
      }
    }
    return reasons;
  }

  /** No secret value used in the test appears in logs, Events or any connector's status. */
  void assertNoSecretValueLeaked() {
    StringBuilder seen = new StringBuilder(logs.text());
    for (Event e : client.v1().events().inNamespace(NS).list().getItems()) {
      seen.append('\n').append(e.getReason()).append(' ').append(e.getMessage());
    }
    for (ApiConnector c : client.resources(ApiConnector.class).inNamespace(NS).list().getItems()) {
      seen.append('\n').append(client.getKubernetesSerialization().asJson(c.getStatus()));
    }
    Set<String> forbidden = new HashSet<>(secretValues);
    for (int i = 1; i <= tokens.issuedCount(); i++) {
      forbidden.add(TokenServer.token(i));
    }
    String text = seen.toString();
    assertThat(text).isNotBlank();
    for (String value : forbidden) {
      assertThat(text).as("a secret value leaked").doesNotContain(value);
    }
  }

  /** JOSDK has begun to stop this operator: its informers no longer run, and it said it is shutting down. */
  boolean stopping(KeywardOperator stopped, long shutdownsBefore) {
    return !stopped.ready() && shutdownMessages() > shutdownsBefore;
  }

  long shutdownMessages() {
    return logs.text().lines().filter(l -> l.startsWith("Operator SDK ") && l.contains(" is shutting down")).count();
  }

  /** Sets the refresh annotation, retrying a write that races the operator's status patch. */
  /**
   * {@link #assertNoSecretValueLeaked()}, and no issued token or secret value on {@code /metrics}; the
   * output Secret {@code output} holds no refresh token (containing {@code seed}, or a rotated one) and no client secret.
   */
  void assertNothingLeakedIncludingMetrics(String output, String seed) {
    assertNoSecretValueLeaked();
    String metrics = operator.scrape();
    for (int i = 1; i <= tokens.issuedCount(); i++) {
      assertThat(metrics).doesNotContain(TokenServer.token(i));
    }
    for (String value : secretValues) {
      assertThat(metrics).as("a secret value in /metrics").doesNotContain(value);
    }
    assertThat(java.util.Objects.requireNonNull(cluster.secretValues(NS, output)).values()).as("the output Secret")
        .noneMatch(v -> v.contains(seed) || v.contains("rotated-refresh-token-") || v.contains(CLIENT_SECRET));
  }

  void requestRefresh(String name, String value) {
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
        client.resources(ApiConnector.class).inNamespace(NS).withName(name).edit(c -> {
          c.getMetadata().getAnnotations().put(ApiConnector.REFRESH_REQUESTED_AT, value);
          return c;
        }));
  }

  /** Reconciles the running operator has finished, from JOSDK's own counter on /metrics. */
  double reconciles() {
    return reconciles(operator);
  }

  /** Reconciles {@code of} finished, from its /metrics. */
  static double reconciles(KeywardOperator of) {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("^operator_sdk_reconciliations_success_total(\\{[^}]*\\})? (\\S+)$", java.util.regex.Pattern.MULTILINE)
        .matcher(of.scrape());
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(2));
    }
    return sum;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
