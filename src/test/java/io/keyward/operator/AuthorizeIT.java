package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.keyward.Keyward;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.local.DemoProvider;
import io.keyward.testing.ConsentBrowser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first refresh token end to end: a connector waiting for its seed Secret, {@code keyward
 * authorize} run against the same API server, a person consenting at the demo provider; the
 * operator then refreshes with the seed (rotating it) and publishes the access token.
 */
class AuthorizeIT extends OperatorHarness {
  static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/oauth2/authorize\\?\\S+)");

  @TempDir Path dir;

  @Test
  void aConnectorWaitingForItsSeedBecomesReadyOnceSomeoneConsents() throws Exception {
    DemoProvider demo = new DemoProvider(0, Clock.systemUTC(), Duration.ofMinutes(10));
    afterOperator.add(demo);
    cluster.putSecret(NS, "demo-client", Map.of("client-secret", DemoProvider.CLIENT_SECRET));
    secretValues.add(DemoProvider.CLIENT_SECRET);
    create(connector("crm", auth -> {
      auth.oauth2 = new OAuth2Auth();
      auth.oauth2.grant = OAuth2Auth.Grant.refreshToken;
      auth.oauth2.tokenUrl = demo.tokenUrl();
      auth.oauth2.authorizationUrl = demo.authorizationUrl();
      auth.oauth2.clientId = DemoProvider.CLIENT_ID;
      auth.oauth2.clientSecretRef = new SecretKeyRef("demo-client", "client-secret");
      auth.oauth2.refreshTokenRef = new SecretKeyRef("crm-seed", "refresh-token");
      auth.oauth2.scopes = List.of("crm.read");
    }));
    awaitCondition("crm", "Ready", "False", "SecretNotFound");

    Path kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"), null);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
      var cli = Keyward.cli();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      return cli.execute("authorize", "crm", "-n", NS, "--kubeconfig", kubeconfig.toString(), "--no-browser");
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> URL.matcher(out.toString()).find());
    Matcher m = URL.matcher(out.toString());
    m.find();
    ConsentBrowser browser = new ConsentBrowser();
    browser.open(browser.consent(URI.create(m.group(1)), "allow"));
    assertThat(exit.get(60, TimeUnit.SECONDS)).as(err.toString()).isZero();
    String seed = cluster.secretValues(NS, "crm-seed").get("refresh-token");
    secretValues.add(seed);

    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    Map<String, String> output = awaitOutput("crm-credentials", v -> v.get("token") != null);
    assertThat(output.get("header-value")).startsWith("Bearer ");
    secretValues.add(output.get("token"));
    assertThat(demo.acceptsRefreshToken(seed)).as("the operator refreshed with the seed, which rotated").isFalse();
    String rotated = cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token");
    assertThat(rotated).isNotEqualTo(seed);
    assertThat(demo.acceptsRefreshToken(rotated)).as("the rotated one is kept").isTrue();
    secretValues.add(rotated);
    assertThat(out.toString() + err).doesNotContain(seed).doesNotContain(rotated).doesNotContain(output.get("token"));
    assertNoSecretValueLeaked();
  }
}
