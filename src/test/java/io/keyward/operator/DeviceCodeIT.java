package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.local.DemoProvider;
import io.keyward.testing.ConsentBrowser;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Grant deviceCode end to end on the mock API server, against the demo provider: the operator starts
 * the device authorization, status and an Event show the verification URI and user code (the device
 * code stays in the state Secret), a person approves, the connector becomes Ready and then refreshes
 * with rotation. An expired code waits for the refresh annotation, not a loop.
 */
class DeviceCodeIT extends OperatorHarness {
  static final Pattern INSTRUCTIONS = Pattern.compile("open (http://127\\.0\\.0\\.1:\\d+/device) and enter the code (\\S+)");

  final ConsentBrowser person = new ConsentBrowser();

  DemoProvider demo(Duration tokenLifetime, Duration codeLifetime) {
    DemoProvider demo = new DemoProvider(0, Clock.systemUTC(), tokenLifetime)
        .withDeviceCodes(codeLifetime, Duration.ofSeconds(1));
    afterOperator.add(demo);
    cluster.putSecret(NS, "demo-client", Map.of("client-secret", DemoProvider.CLIENT_SECRET));
    secretValues.add(DemoProvider.CLIENT_SECRET);
    return demo;
  }

  void createDeviceConnector(DemoProvider demo) {
    create(connector("crm", auth -> {
      auth.oauth2 = new OAuth2Auth();
      auth.oauth2.grant = OAuth2Auth.Grant.deviceCode;
      auth.oauth2.tokenUrl = demo.tokenUrl();
      auth.oauth2.deviceAuthorizationUrl = demo.deviceAuthorizationUrl();
      auth.oauth2.clientId = DemoProvider.CLIENT_ID;
      auth.oauth2.clientSecretRef = new SecretKeyRef("demo-client", "client-secret");
      auth.oauth2.scopes = List.of("crm.read", "offline_access");
    }));
  }

  /** The verification URI and user code a condition's message names. */
  static String[] instructions(Condition c) {
    Matcher m = INSTRUCTIONS.matcher(c.message);
    assertThat(m.find()).as(c.message).isTrue();
    return new String[] {m.group(1), m.group(2)};
  }

  List<Event> events(String reason) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason())).toList();
  }

  String state(String key) {
    Map<String, String> state = cluster.secretValues(NS, "crm-keyward-state");
    return state == null ? null : state.get("state." + key);
  }

  @Test
  void statusShowsTheUserCodeAPersonApprovesAndTheConnectorIsReadyThenRefreshesWithRotation() throws Exception {
    DemoProvider demo = demo(Duration.ofSeconds(20), Duration.ofMinutes(5));
    createDeviceConnector(demo);

    Condition waiting = awaitCondition("crm", "Ready", "False", "AwaitingAuthorization");
    String[] shown = instructions(waiting);
    assertThat(shown[0]).isEqualTo(demo.verificationUrl());
    Event requested = await().atMost(Duration.ofSeconds(15)).until(() -> events("AuthorizationRequested"),
        l -> !l.isEmpty()).get(0);
    assertThat(requested.getType()).isEqualTo("Normal");
    assertThat(requested.getMessage()).contains(shown[0]).contains(shown[1]);
    String deviceCode = state("device-code");
    assertThat(deviceCode).as("the device code is kept in the state Secret").isNotBlank();
    secretValues.add(deviceCode);
    assertThat(connector("crm").getStatus().condition("Degraded").orElseThrow().status)
        .as("waiting for a person is no failure").isEqualTo("False");
    sleep(3000); // polled a few times at the provider's interval, still waiting
    assertThat(connector("crm").getStatus().condition("Ready").orElseThrow().reason).isEqualTo("AwaitingAuthorization");
    assertThat(events("AuthorizationRequested")).as("one Event per authorization started").hasSize(1);

    assertThat(person.enterUserCode(URI.create(shown[0]), shown[1], "allow")).contains("authorized");

    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    Map<String, String> output = awaitOutput("crm-credentials", v -> v.get("token") != null);
    assertThat(output.get("header-value")).startsWith("Bearer ");
    secretValues.add(output.get("token"));
    String first = state("refresh-token");
    assertThat(demo.acceptsRefreshToken(first)).isTrue();
    assertThat(state("device-code")).as("the spent device code is forgotten").isNull();
    secretValues.add(first);

    // 20 s tokens are refreshed at half-life: the refresh token rotates, and the rotated one is kept
    String rotated = await().atMost(Duration.ofSeconds(40)).until(() -> state("refresh-token"),
        t -> t != null && !t.equals(first));
    secretValues.add(rotated);
    assertThat(demo.acceptsRefreshToken(first)).isFalse();
    assertThat(demo.acceptsRefreshToken(rotated)).isTrue();
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(eventReasons("crm")).contains("AuthorizationRequested", "Issued").doesNotContain("Reauthorized");
    assertNoSecretValueLeaked();
  }

  /** Revokes {@code refreshToken} at the demo provider, as a person could at its account page. */
  static void revokeAtProvider(DemoProvider demo, String refreshToken) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    String basic = java.util.Base64.getEncoder().encodeToString((DemoProvider.CLIENT_ID + ":"
        + DemoProvider.CLIENT_SECRET).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    var answer = http.send(java.net.http.HttpRequest.newBuilder(URI.create(demo.revocationUrl()))
        .header("Authorization", "Basic " + basic).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("token=" + refreshToken)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
  }

  @Test
  void aRejectedRefreshTokenIsReauthorizedWhileTheOldTokenIsStillPublished() throws Exception {
    DemoProvider demo = demo(Duration.ofMinutes(10), Duration.ofMinutes(5));
    createDeviceConnector(demo);
    String[] first = instructions(awaitCondition("crm", "Ready", "False", "AwaitingAuthorization"));
    secretValues.add(state("device-code"));
    person.enterUserCode(URI.create(first[0]), first[1], "allow");
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    String published = awaitOutput("crm-credentials", v -> v.get("token") != null).get("token");
    String spent = state("refresh-token");
    secretValues.add(published);
    secretValues.add(spent);

    revokeAtProvider(demo, spent);
    requestRefresh("crm", "2026-12-03T11:00:00Z");
    Condition degraded = awaitCondition("crm", "Degraded", "True", "ReauthorizationRequired");
    assertThat(degraded.message).contains("approve a new device authorization");
    assertThat(connector("crm").getStatus().condition("Ready").orElseThrow().status)
        .as("the published token is still valid").isEqualTo("True");
    assertThat(state("refresh-token")).as("the spent token is forgotten").isNull();

    requestRefresh("crm", "2026-12-03T11:01:00Z");
    Condition warning = awaitCondition("crm", "Warning", "True", "AwaitingAuthorization");
    String[] second = instructions(warning);
    secretValues.add(state("device-code"));
    assertThat(events("AuthorizationRequested")).hasSize(2);
    sleep(3000); // polled while the old token is still valid
    person.enterUserCode(URI.create(second[0]), second[1], "allow");
    String renewed = await().atMost(Duration.ofSeconds(20)).until(() -> state("refresh-token"), t -> t != null);
    secretValues.add(renewed);
    assertThat(demo.acceptsRefreshToken(renewed)).isTrue();
    await().atMost(Duration.ofSeconds(15)).until(() -> eventReasons("crm").contains("Reauthorized"));
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    secretValues.add(cluster.secretValues(NS, "crm-credentials").get("token"));
    assertNoSecretValueLeaked();
  }

  @Test
  void anExpiredCodeWaitsForTheRefreshAnnotationAndADeniedOneIsNamed() throws Exception {
    DemoProvider demo = demo(Duration.ofMinutes(10), Duration.ofSeconds(3));
    createDeviceConnector(demo);
    String[] firstCode = instructions(awaitCondition("crm", "Ready", "False", "AwaitingAuthorization"));
    secretValues.add(state("device-code"));

    Condition expired = awaitCondition("crm", "Ready", "False", "DeviceCodeExpired");
    assertThat(expired.message).contains("kubectl keyward refresh");
    sleep(4000); // not started again by itself
    assertThat(events("AuthorizationRequested")).hasSize(1);
    assertThat(connector("crm").getStatus().condition("Ready").orElseThrow().reason).isEqualTo("DeviceCodeExpired");
    operator.close();
    operator = startOperator(); // nor by a restart, which forgets what failed
    sleep(4000);
    assertThat(events("AuthorizationRequested")).hasSize(1);
    awaitCondition("crm", "Ready", "False", "DeviceCodeExpired");

    requestRefresh("crm", "2026-12-03T10:00:00Z");
    Condition again = awaitCondition("crm", "Ready", "False", "AwaitingAuthorization");
    String[] secondCode = instructions(again);
    assertThat(secondCode[1]).isNotEqualTo(firstCode[1]);
    secretValues.add(state("device-code"));
    assertThat(events("AuthorizationRequested")).hasSize(2);

    person.enterUserCode(URI.create(secondCode[0]), secondCode[1], "deny");
    Condition denied = awaitCondition("crm", "Ready", "False", "AuthorizationDenied");
    assertThat(denied.message).contains("denied at the provider");
    assertNoSecretValueLeaked();
  }
}
