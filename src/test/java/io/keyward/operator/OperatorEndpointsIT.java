package io.keyward.operator;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.TokenServer.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's HTTP port as Prometheus, the kubelet and a provider see it: {@code /metrics},
 * {@code /readyz}, {@code /healthz}, {@code /jwks/<namespace>/<name>}.
 */
class OperatorEndpointsIT extends OperatorHarness {
  final HttpClient http = HttpClient.newHttpClient();
  OperatorHttpServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  HttpResponse<String> get(String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The value of the one sample of {@code metric} whose labels include all of {@code labels}. */
  static OptionalDouble sample(String scrape, String metric, String... labels) {
    Pattern line = Pattern.compile("^" + Pattern.quote(metric) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(scrape);
    double sum = 0;
    boolean found = false;
    while (m.find()) {
      boolean all = true;
      for (String l : labels) {
        all &= m.group(1).contains(l);
      }
      if (all) {
        sum += Double.parseDouble(m.group(2));
        found = true;
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }

  @Test
  void readyzTurnsReadyOnceTheOperatorHasStartedAndMetricsFollowRefreshes() throws Exception {
    operator.close();
    operator = new KeywardOperator(client, CredentialIssuers.standard(Loopback.sender()), testSettings());
    server = OperatorHttpServer.start(operator, 0);
    assertThat(get("/readyz").statusCode()).as("before start").isEqualTo(503);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    operator.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/readyz").statusCode() == 200);

    // renewed at half-life: 5 s between a refresh and the expiry it replaces, more than a stall here
    tokens.expiresIn(10);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");

    String[] crm = {"namespace=\"sales\"", "name=\"crm\""};
    HttpResponse<String> first = get("/metrics");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
    await().atMost(Duration.ofSeconds(15)).until(() ->
        sample(get("/metrics").body(), "keyward_connector_ready", crm).orElse(0) == 1.0);
    double asked = System.currentTimeMillis() / 1000.0; // before the scrape: a stall after it cannot age it
    String scrape = get("/metrics").body();
    double expiry1 = sample(scrape, "keyward_credential_expiration_timestamp_seconds", crm).orElseThrow();
    double renewal1 = sample(scrape, "keyward_credential_renewal_timestamp_seconds", crm).orElseThrow();
    double refreshes1 = sample(scrape, "keyward_refresh_total", crm[0], crm[1], "result=\"success\"").orElseThrow();
    assertThat(expiry1).isGreaterThan(asked);
    assertThat(renewal1).isLessThan(expiry1);
    assertThat(sample(scrape, "keyward_refresh_duration_seconds_count", "result=\"success\"", "type=\"oauth2\""))
        .isNotEmpty();
    assertThat(scrape).as("JOSDK's reconcile metrics").contains("operator_sdk_reconciliations");

    // a 10 s token is refreshed at half-life: the expiry moves and the counter grows
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String later = get("/metrics").body();
      assertThat(sample(later, "keyward_credential_expiration_timestamp_seconds", crm).orElseThrow())
          .isGreaterThan(expiry1);
      assertThat(sample(later, "keyward_refresh_total", crm[0], crm[1], "result=\"success\"").orElseThrow())
          .isGreaterThan(refreshes1);
    });

    // a rate-limited provider is counted by error class, and the connector stays ready while its token lives
    tokens.override(r -> Response.json(429, "{}"));
    await().atMost(Duration.ofSeconds(30)).until(() -> sample(get("/metrics").body(), "keyward_refresh_total",
        crm[0], crm[1], "result=\"failure\"", "reason=\"rate_limited\"").orElse(0) >= 1);

    String all = get("/metrics").body();
    for (int i = 1; i <= tokens.issuedCount(); i++) {
      assertThat(all).doesNotContain(io.keyward.testing.TokenServer.token(i));
    }
    assertThat(all).doesNotContain(CLIENT_SECRET);

    // a deleted connector leaves no series behind
    client.resources(ApiConnector.class).inNamespace(NS).withName("crm").delete();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get("/metrics").body())
        .doesNotContain("name=\"crm\""));
  }

  @Test
  void theJwksOfGeneratedKeysIsServedForAProvidersJwksUri() throws Exception {
    server = OperatorHttpServer.start(operator, 0);
    create(generatedKeys("logistics", JwtAuth.Algorithm.ES256, JwtAuth.Generate.KeyType.EC));
    Map<String, String> out = awaitOutput("logistics-credentials", v -> true);

    HttpResponse<String> jwks = get("/jwks/sales/logistics");
    assertThat(jwks.statusCode()).isEqualTo(200);
    assertThat(jwks.headers().firstValue("Content-Type")).contains("application/jwk-set+json");
    assertThat(jwks.headers().firstValue("Cache-Control")).get().asString().contains("max-age");
    var set = com.nimbusds.jose.jwk.JWKSet.parse(jwks.body());
    var jwt = com.nimbusds.jwt.SignedJWT.parse(out.get("token"));
    var key = set.getKeyByKeyId(jwt.getHeader().getKeyID());
    assertThat(key).isNotNull();
    assertThat(key.isPrivate()).isFalse();
    assertThat(jwt.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(key.toECKey()))).isTrue();
    assertThat(jwks.body()).isEqualTo(
        client.configMaps().inNamespace(NS).withName("logistics-jwks").get().getData().get("jwks.json"));

    assertThat(get("/jwks/sales/unknown").statusCode()).isEqualTo(404);
    assertThat(get("/jwks/sales/../kube-system/x").statusCode()).isEqualTo(404);
    var post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/jwks/sales/logistics"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }
}
