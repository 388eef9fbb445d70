package io.keyward.authorize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.keyward.Keyward;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorSpec;
import io.keyward.api.v1alpha1.ApiProvider;
import io.keyward.api.v1alpha1.ApiProviderSpec;
import io.keyward.api.v1alpha1.AuthSpec;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.local.DemoProvider;
import io.keyward.testing.ConsentBrowser;
import io.keyward.testing.MockCluster;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward authorize} against the demo provider and a mock API server, through the CLI: a
 * client playing the browser follows the printed URL and consents; the seed Secret then holds a
 * refresh token the provider accepts. A state mismatch, a denied consent, a timeout and a connector
 * of another grant each end with their message; no token is ever printed.
 */
class AuthorizeCommandTest {
  static final String NS = "sales";
  static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/oauth2/authorize\\?\\S+)");

  @TempDir Path dir;
  MockCluster cluster;
  DemoProvider demo;
  Path kubeconfig;
  final ConsentBrowser browser = new ConsentBrowser();

  /** One run of the CLI in the background, its output readable while it waits. */
  record Running(CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
    URI authorizationUrl() {
      await().atMost(Duration.ofSeconds(30)).until(() -> URL.matcher(out.toString()).find());
      Matcher m = URL.matcher(out.toString());
      m.find();
      return URI.create(m.group(1));
    }

    int exitCode() throws Exception {
      return exit.get(60, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @BeforeEach
  void start() throws Exception {
    cluster = new MockCluster();
    demo = new DemoProvider(0, Clock.systemUTC(), Duration.ofMinutes(10));
    kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"), NS);
    cluster.putSecret(NS, "demo-client", Map.of("client-secret", DemoProvider.CLIENT_SECRET));
  }

  @AfterEach
  void stop() {
    demo.close();
    cluster.close();
  }

  static ApiConnector connector(String name, OAuth2Auth oauth2) {
    ApiConnector c = new ApiConnector();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    c.setSpec(new ApiConnectorSpec());
    c.getSpec().auth = new AuthSpec();
    c.getSpec().auth.oauth2 = oauth2;
    return c;
  }

  OAuth2Auth demoAuth() {
    OAuth2Auth a = new OAuth2Auth();
    a.grant = OAuth2Auth.Grant.refreshToken;
    a.tokenUrl = demo.tokenUrl();
    a.authorizationUrl = demo.authorizationUrl();
    a.clientId = DemoProvider.CLIENT_ID;
    a.clientSecretRef = new SecretKeyRef("demo-client", "client-secret");
    a.refreshTokenRef = new SecretKeyRef("crm-seed", "refresh-token");
    a.scopes = List.of("crm.read", "offline_access");
    return a;
  }

  void create(ApiConnector c) {
    cluster.client().resource(c).create();
  }

  Running authorize(String... extra) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args = new java.util.ArrayList<>(List.of("authorize", "--kubeconfig", kubeconfig.toString(),
        "--no-browser"));
    args.addAll(List.of(extra));
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
      var cli = Keyward.cli();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      return cli.execute(args.toArray(String[]::new));
    });
    return new Running(exit, out, err);
  }

  String seedValue() {
    Map<String, String> values = cluster.secretValues(NS, "crm-seed");
    return values == null ? null : values.get("refresh-token");
  }

  @Test
  void theConsentGivesASeedTheProviderAcceptsAndAsksTheConnectorToRefresh() throws Exception {
    create(connector("crm", demoAuth()));
    Running run = authorize("crm");
    URI url = run.authorizationUrl();
    assertThat(url.getRawQuery()).contains("response_type=code").contains("client_id=demo-client")
        .contains("code_challenge_method=S256").contains("code_challenge=").contains("state=")
        .contains("scope=crm.read+offline_access").contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A");

    String page = browser.open(browser.consent(url, "allow"));

    assertThat(run.exitCode()).as(run.err().toString()).isZero();
    assertThat(page).contains("Keyward has the refresh token for sales/crm");
    String seed = seedValue();
    assertThat(seed).isNotBlank();
    assertThat(demo.acceptsRefreshToken(seed)).as("a refresh token the provider accepts").isTrue();
    var secret = cluster.client().secrets().inNamespace(NS).withName("crm-seed").get();
    assertThat(secret.getMetadata().getLabels()).containsEntry(AuthorizeConnector.AUTHORIZED_BY, "keyward-authorize")
        .containsEntry("keyward.io/referenceable", "true");
    assertThat(secret.getMetadata().getAnnotations()).containsKey(AuthorizeConnector.AUTHORIZED_AT)
        .containsEntry(AuthorizeConnector.AUTHORIZED_USER, "alice");
    var connector = cluster.client().resources(ApiConnector.class).inNamespace(NS).withName("crm").get();
    assertThat(connector.getMetadata().getAnnotations()).containsKey(ApiConnector.REFRESH_REQUESTED_AT);
    assertThat(run.out().toString()).contains("Wrote the refresh token to Secret sales/crm-seed (key refresh-token)")
        .doesNotContain(seed).doesNotContain(DemoProvider.CLIENT_SECRET).doesNotContain("demo-code-");
    assertThat(run.err().toString()).isEmpty();
  }

  @Test
  void anExistingSeedSecretKeepsItsOtherKeysAndGetsTheNewToken() throws Exception {
    cluster.putSecret(NS, "crm-seed", Map.of("refresh-token", "old-spent-token", "note", "kept"));
    create(connector("crm", demoAuth()));
    Running run = authorize("crm", "-n", NS);
    URI redirect = browser.consent(run.authorizationUrl(), "allow");
    assertThat(run.exit().isDone()).as(run.err().toString()).isFalse();
    browser.open(redirect);
    assertThat(run.exitCode()).as(run.err().toString()).isZero();
    assertThat(cluster.secretValues(NS, "crm-seed")).containsEntry("note", "kept");
    assertThat(demo.acceptsRefreshToken(seedValue())).isTrue();
  }

  @Test
  void aConnectorNamingAnApiProviderTakesTheAuthorizationEndpointFromIt() throws Exception {
    ApiProvider p = new ApiProvider();
    p.setMetadata(new ObjectMetaBuilder().withName("demo-crm").build());
    p.setSpec(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readValue("""
        connector:
          auth:
            oauth2:
              grant: refreshToken
              tokenUrl: %s
              authorizationUrl: %s
              clientAuthentication: clientSecretPost
        """.formatted(demo.tokenUrl(), demo.authorizationUrl()), ApiProviderSpec.class));
    cluster.client().resource(p).create();
    OAuth2Auth own = new OAuth2Auth();
    own.clientId = DemoProvider.CLIENT_ID;
    own.clientSecretRef = new SecretKeyRef("demo-client", "client-secret");
    own.refreshTokenRef = new SecretKeyRef("crm-seed", "refresh-token");
    ApiConnector c = connector("crm", own);
    c.getSpec().provider = "demo-crm";
    create(c);

    Running run = authorize("crm");
    browser.open(browser.consent(run.authorizationUrl(), "allow"));
    assertThat(run.exitCode()).as(run.err().toString()).isZero();
    assertThat(demo.acceptsRefreshToken(seedValue())).isTrue();
  }

  @Test
  void aRedirectForAnotherRequestIsRefusedAndNothingIsWritten() throws Exception {
    create(connector("crm", demoAuth()));
    Running run = authorize("crm");
    URI redirect = browser.consent(run.authorizationUrl(), "allow");
    URI forged = URI.create(redirect.toString().replaceAll("state=[^&]+", "state=someone-elses"));
    String page = browser.open(forged);
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().toString()).contains("keyward authorize: the redirect's state does not match the request's")
        .contains("nothing was written");
    assertThat(page).contains("Keyward could not finish");
    assertThat(seedValue()).isNull();
  }

  @Test
  void fieldsOfTheRedirectThatTheSpecNamesAreKeptNextToTheSeed() throws Exception {
    OAuth2Auth auth = demoAuth();
    auth.authorizationResponseFields = List.of("realmId");
    create(connector("books", auth));
    Running run = authorize("books");
    browser.open(browser.consent(run.authorizationUrl(), "allow"));
    assertThat(run.exitCode()).as(run.err().toString()).isZero();
    assertThat(cluster.secretValues(NS, "crm-seed")).containsEntry("realmId", DemoProvider.DEMO_REALM)
        .containsKey("refresh-token");

    OAuth2Auth other = demoAuth();
    other.refreshTokenRef = new SecretKeyRef("other-seed", "refresh-token");
    other.authorizationResponseFields = List.of("companyId");
    create(connector("other", other));
    Running missing = authorize("other");
    browser.open(browser.consent(missing.authorizationUrl(), "allow"));
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err().toString())
        .contains("spec.auth.oauth2.authorizationResponseFields[0]: the provider's redirect carried no companyId");
    assertThat(cluster.secretValues(NS, "other-seed")).isNull();
  }

  @Test
  void aDeniedConsentIsNamed() throws Exception {
    create(connector("crm", demoAuth()));
    Running run = authorize("crm");
    browser.open(browser.consent(run.authorizationUrl(), "deny"));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().toString()).contains("consent was denied at the provider (access_denied)");
    assertThat(seedValue()).isNull();
  }

  @Test
  void aBrowserThatNeverComesBackTimesOut() throws Exception {
    create(connector("crm", demoAuth()));
    Running run = authorize("crm", "--timeout", "1s");
    run.authorizationUrl();
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().toString()).contains("no redirect came back within 1s").contains("nothing was written");
    assertThat(seedValue()).isNull();
  }

  static final Pattern DEVICE = Pattern.compile("open\\s+(http://127\\.0\\.0\\.1:\\d+/device)\\s+and enter the code\\s+(\\S+)");

  /** The verification URI and user code the CLI printed. */
  static String[] deviceInstructions(Running run) {
    await().atMost(Duration.ofSeconds(30)).until(() -> DEVICE.matcher(run.out().toString()).find()
        || run.exit().isDone());
    Matcher m = DEVICE.matcher(run.out().toString());
    assertThat(m.find()).as(run.out() + " / " + run.err()).isTrue();
    return new String[] {m.group(1), m.group(2)};
  }

  OAuth2Auth deviceAuth() {
    OAuth2Auth a = demoAuth();
    a.deviceAuthorizationUrl = demo.deviceAuthorizationUrl();
    return a;
  }

  @Test
  void aCodeEnteredOnAnotherDeviceGivesASeedTheProviderAccepts() throws Exception {
    demo.withDeviceCodes(Duration.ofMinutes(5), Duration.ofSeconds(1));
    create(connector("crm", deviceAuth()));
    Running run = authorize("crm", "--device");
    String[] shown = deviceInstructions(run);
    assertThat(shown[1]).matches("[A-Z]{4}-[A-Z]{4}");
    assertThat(run.out().toString()).contains("?user_code=" + shown[1]);
    Thread.sleep(2500); // a few polls find it pending
    assertThat(run.exit().isDone()).as(run.err().toString()).isFalse();

    assertThat(browser.enterUserCode(URI.create(shown[0]), shown[1], "allow")).contains("the device is authorized");

    assertThat(run.exitCode()).as(run.err().toString()).isZero();
    String seed = seedValue();
    assertThat(demo.acceptsRefreshToken(seed)).as("a refresh token the provider accepts").isTrue();
    var connector = cluster.client().resources(ApiConnector.class).inNamespace(NS).withName("crm").get();
    assertThat(connector.getMetadata().getAnnotations()).containsKey(ApiConnector.REFRESH_REQUESTED_AT);
    assertThat(run.out().toString()).contains("Wrote the refresh token to Secret sales/crm-seed (key refresh-token)")
        .doesNotContain(seed).doesNotContain(DemoProvider.CLIENT_SECRET);
    assertThat(run.err().toString()).isEmpty();
  }

  @Test
  void aDeniedDeviceCodeAnExpiredOneAndAProviderWithoutTheGrantAreNamed() throws Exception {
    demo.withDeviceCodes(Duration.ofSeconds(4), Duration.ofSeconds(1));
    create(connector("crm", deviceAuth()));
    Running denied = authorize("crm", "--device");
    String[] shown = deviceInstructions(denied);
    browser.enterUserCode(URI.create(shown[0]), shown[1], "deny");
    assertThat(denied.exitCode()).isEqualTo(1);
    assertThat(denied.err().toString()).contains("the device authorization was denied at the provider (access_denied)");

    Running expired = authorize("crm", "--device");
    deviceInstructions(expired);
    assertThat(expired.exitCode()).isEqualTo(1);
    assertThat(expired.err().toString()).contains("the code expired before anyone approved it")
        .contains("nothing was written");
    assertThat(seedValue()).isNull();

    create(connector("no-device", demoAuth()));
    Running without = authorize("no-device", "--device");
    assertThat(without.exitCode()).isEqualTo(1);
    assertThat(without.err().toString()).contains("spec.auth.oauth2.deviceAuthorizationUrl: is not set");
  }

  @Test
  void connectorsThatCannotBeAuthorizedSaySoNamingTheField() throws Exception {
    OAuth2Auth credentials = demoAuth();
    credentials.grant = OAuth2Auth.Grant.clientCredentials;
    credentials.refreshTokenRef = null;
    create(connector("machine", credentials));
    OAuth2Auth noEndpoint = demoAuth();
    noEndpoint.authorizationUrl = null;
    create(connector("no-endpoint", noEndpoint));

    Running machine = authorize("machine");
    assertThat(machine.exitCode()).isEqualTo(1);
    assertThat(machine.err().toString()).contains("spec.auth.oauth2.grant: is clientCredentials");
    Running missing = authorize("no-endpoint");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err().toString()).contains("spec.auth.oauth2.authorizationUrl: is not set");
    Running absent = authorize("nope");
    assertThat(absent.exitCode()).isEqualTo(1);
    assertThat(absent.err().toString()).contains("ApiConnector sales/nope not found");
  }
}
