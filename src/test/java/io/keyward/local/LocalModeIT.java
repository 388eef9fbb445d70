package io.keyward.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local mode driven by the real kubectl, as a newcomer would: apply, get, re-apply, patch, delete.
 * Reports skipped, never passed, when kubectl is not installed.
 */
class LocalModeIT {
  @TempDir Path dir;
  LocalMode local;

  @AfterEach
  void stop() {
    if (local != null) {
      local.close();
    }
  }

  static Optional<Path> kubectl() {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
        .map(p -> Path.of(p, "kubectl")).filter(Files::isExecutable).findFirst();
  }

  LocalMode start(List<Path> manifests, int providerPort) {
    return new LocalMode(new LocalMode.Options(manifests, 0, providerPort, dir.resolve("kubeconfig"),
        Duration.ofSeconds(60), Clock.systemUTC()));
  }

  @Test
  void kubectlAppliesGetsReappliesPatchesAndDeletesConnectors() throws Exception {
    Path kubectl = kubectl().orElse(null);
    assumeTrue(kubectl != null, "kubectl is not installed");
    local = start(List.of(), 0);

    Path manifest = dir.resolve("crm.yaml");
    Files.writeString(manifest, crm("[crm.read]"));
    assertThat(run(kubectl, "apply", "-f", manifest.toString()))
        .contains("secret/crm-oauth created").contains("apiconnector.keyward.io/crm created");

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(row(kubectl, "crm"))
        .as("kubectl get apiconnectors").containsSubsequence("crm", "oauth2", "True"));
    assertThat(run(kubectl, "get", "apiconnectors", "-n", "demo")).contains("TYPE").contains("READY").contains("EXPIRES");

    String token = outputKey(kubectl, "token");
    assertThat(echo(kubectl)).as("the demo provider accepts the published header").isEqualTo(200);
    assertThat(SignedJWT.parse(token).getJWTClaimsSet().getStringClaim("scope")).isEqualTo("crm.read");

    Files.writeString(manifest, crm("[crm.read, crm.write]"));
    assertThat(run(kubectl, "apply", "-f", manifest.toString()))
        .contains("apiconnector.keyward.io/crm configured");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
        SignedJWT.parse(outputKey(kubectl, "token")).getJWTClaimsSet().getStringClaim("scope"))
        .isEqualTo("crm.read crm.write"));
    assertThat(echo(kubectl)).isEqualTo(200);

    assertThat(run(kubectl, "patch", "apiconnector", "crm", "-n", "demo", "--type", "merge",
        "-p", "{\"spec\":{\"auth\":{\"oauth2\":{\"scopes\":[\"crm.admin\"]}}}}")).contains("patched");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
        SignedJWT.parse(outputKey(kubectl, "token")).getJWTClaimsSet().getStringClaim("scope")).isEqualTo("crm.admin"));

    assertThat(run(kubectl, "delete", "apiconnector", "crm", "-n", "demo", "--wait=false")).contains("deleted");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(run(kubectl, "get", "apiconnectors", "-n", "demo")).contains("No resources found"));
  }

  /**
   * spec.rollout against local mode with the real kubectl (issue #17): a rotated API key writes the
   * restart annotation into the Deployment's pod template once, as `kubectl get deploy -o yaml`
   * shows; the same value again restarts nothing. Local mode runs no controllers, so the test makes
   * the workload's pod itself and gives it a start time.
   */
  @Test
  void aRotatedKeyRestartsTheDeploymentThatReadsItAsKubectlShows() throws Exception {
    Path kubectl = kubectl().orElse(null);
    assumeTrue(kubectl != null, "kubectl is not installed");
    local = start(List.of(), 0);
    Path workload = dir.resolve("web.yaml");
    Files.writeString(workload, """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: demo}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: web:1}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web-1, namespace: demo, labels: {app: web}}
        spec: {containers: [{name: web, image: web:1}]}
        """);
    assertThat(run(kubectl, "apply", "--validate=false", "-f", workload.toString())).contains("deployment.apps/web created");
    // the pod has been running for an hour: it read whatever the Secret held then
    assertThat(run(kubectl, "patch", "pod", "web-1", "-n", "demo", "--subresource=status", "--type=merge", "-p",
        "{\"status\":{\"phase\":\"Running\",\"startTime\":\"" + java.time.Instant.now().minusSeconds(3600)
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}}")).contains("patched");
    Path manifest = dir.resolve("erp.yaml");
    Files.writeString(manifest, """
        apiVersion: v1
        kind: Secret
        metadata: {name: erp-key, namespace: demo}
        stringData: {api-key: ak-local-first-5e2a}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: erp, namespace: demo}
        spec:
          auth:
            apiKey: {keyRef: {name: erp-key, key: api-key}, header: X-API-Key}
          rollout:
            targets: [{kind: Deployment, name: web}]
            debounce: 1s
        """);
    assertThat(run(kubectl, "apply", "--validate=false", "-f", manifest.toString()))
        .contains("apiconnector.keyward.io/erp created");
    String first = await().atMost(Duration.ofSeconds(30)).until(() -> annotation(kubectl), a -> !a.isEmpty());
    assertThat(run(kubectl, "get", "deploy", "web", "-n", "demo", "-o", "yaml"))
        .contains("rollout.keyward.io/erp: " + first);

    // a rotation: a new digest, once
    Files.writeString(manifest, Files.readString(manifest).replace("ak-local-first-5e2a", "ak-local-second-77b1"));
    run(kubectl, "apply", "--validate=false", "-f", manifest.toString());
    String second = await().atMost(Duration.ofSeconds(30)).until(() -> annotation(kubectl), a -> !a.equals(first));
    assertThat(second).isNotEmpty().doesNotContain("ak-local");
    String generation = run(kubectl, "get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.metadata.resourceVersion}");
    Thread.sleep(3000);
    assertThat(run(kubectl, "get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.metadata.resourceVersion}"))
        .as("not patched again for the same value").isEqualTo(generation);
    assertThat(run(kubectl, "get", "apiconnector", "erp", "-n", "demo", "-o", "jsonpath={.status.rolloutTargets[0].state}"))
        .isIn("Restarted", "UpToDate");
    assertThat(run(kubectl, "get", "events", "-n", "demo", "-o", "jsonpath={.items[*].reason}"))
        .contains("RolloutRestarted");
  }

  String annotation(Path kubectl) throws Exception {
    return run(kubectl, "get", "deploy", "web", "-n", "demo", "-o",
        "jsonpath={.spec.template.metadata.annotations.rollout\\.keyward\\.io/erp}").strip();
  }

  @Test
  void theBundledExamplesAreAllReadyWithinThirtySeconds() throws Exception {
    assumeTrue(free(18080), "port 18080, which examples/local points at, is in use on this machine");
    local = start(List.of(Path.of("examples/local")), 18080);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var rows = new LiveView(local.api().client(), local::refreshes, System.out, false, Clock.systemUTC(), "").snapshot();
      assertThat(rows).extracting(ConnectorTable.Row::type).containsExactlyInAnyOrder("oauth2", "apiKey", "basic", "jwt");
      assertThat(rows).allSatisfy(r -> assertThat(r.ready()).isEqualTo("True"));
    });
    var lines = new java.io.ByteArrayOutputStream();
    var plain = new LiveView(local.api().client(), local::refreshes, new java.io.PrintStream(lines, true, StandardCharsets.UTF_8), false,
        Clock.systemUTC(), "banner\n");
    plain.draw();
    assertThat(lines.toString(StandardCharsets.UTF_8).lines())
        .as("one line per connector when not a terminal").hasSize(4)
        .anySatisfy(l -> assertThat(l).contains("demo/crm").contains("type=oauth2").contains("ready=True")
            .containsPattern("expiresIn=\\d+s"))
        .anySatisfy(l -> assertThat(l).contains("demo/erp").contains("type=apiKey").contains("expiresIn=never"))
        .anySatisfy(l -> assertThat(l).contains("demo/ledger").contains("type=basic"))
        .anySatisfy(l -> assertThat(l).contains("demo/shipments").contains("type=jwt").containsPattern("expiresIn=\\d+s"));
    lines.reset();
    plain.draw();
    assertThat(lines.toString(StandardCharsets.UTF_8)).as("nothing changed, nothing printed").isEmpty();

    var screen = new java.io.ByteArrayOutputStream();
    new LiveView(local.api().client(), local::refreshes, new java.io.PrintStream(screen, true, StandardCharsets.UTF_8), true,
        Clock.systemUTC(), "banner\n").draw();
    assertThat(screen.toString(StandardCharsets.UTF_8)).startsWith("\033[H\033[2Jbanner\nNAME")
        .contains("demo/ledger").contains("REFRESHES");

    for (String name : List.of("crm", "erp", "ledger", "shipments")) { // shipments: checked against our JWKS
      var secret = local.api().client().secrets().inNamespace("demo").withName(name + "-credentials").get();
      String header = decode(secret.getData().get("header-name"));
      String value = decode(secret.getData().get("header-value"));
      assertThat(echo(local.provider().baseUrl(), header, value)).as(name).isEqualTo(200);
    }
    // the provider checks the JWT against the published JWKS: the same claims and kid signed by
    // a key that is not published are refused
    var shipments = local.api().client().secrets().inNamespace("demo").withName("shipments-credentials").get();
    SignedJWT minted = SignedJWT.parse(decode(shipments.getData().get("token")));
    var stranger = new com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator(com.nimbusds.jose.jwk.Curve.Ed25519)
        .keyID(minted.getHeader().getKeyID()).generate();
    SignedJWT forged = new SignedJWT(minted.getHeader(), minted.getJWTClaimsSet());
    forged.sign(new com.nimbusds.jose.crypto.Ed25519Signer(stranger));
    assertThat(echo(local.provider().baseUrl(), "Authorization", "Bearer " + forged.serialize())).isEqualTo(401);
  }

  @Test
  void kubectlKeywardShowsAndRefreshesLocalModesConnectors() throws Exception {
    Path kubectl = kubectl().orElse(null);
    assumeTrue(kubectl != null, "kubectl is not installed");
    local = start(List.of(), 0);
    Path manifest = dir.resolve("crm.yaml");
    Files.writeString(manifest, crm("[crm.read]"));
    assertThat(run(kubectl, "apply", "-f", manifest.toString())).contains("apiconnector.keyward.io/crm created");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.copy(Path.of("src/main/sh/kubectl-keyward"), bin.resolve("kubectl-keyward"));
    assertThat(bin.resolve("kubectl-keyward").toFile().setExecutable(true)).isTrue();

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(plugin(bin, "status", "-A").lines())
        .anySatisfy(l -> assertThat(l).matches("demo +crm +oauth2 +True +\\d+s +Issuing *")));
    assertThat(plugin(bin, "refresh", "crm", "-n", "demo")).startsWith("Asked demo/crm to refresh");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(plugin(bin, "status", "-n", "demo").lines())
        .anySatisfy(l -> assertThat(l).matches("crm +oauth2 +True +\\d+s +RefreshRequested *")));
  }

  @Test
  void kubectlAppliesAnApiProviderAndTheConnectorThatNamesItBecomesReady() throws Exception {
    Path kubectl = kubectl().orElse(null);
    assumeTrue(kubectl != null, "kubectl is not installed");
    local = start(List.of(), 0);
    Path manifest = dir.resolve("provider.yaml");
    String port = Integer.toString(URI.create(local.provider().baseUrl()).getPort());
    Files.writeString(manifest, """
        apiVersion: keyward.io/v1alpha1
        kind: ApiProvider
        metadata: {name: demo-crm}
        spec:
          displayName: The demo provider's CRM
          parameters:
            - name: port
              description: the demo provider's port
          connector:
            auth:
              oauth2:
                tokenUrl: http://127.0.0.1:{port}/oauth2/token
                clientAuthentication: clientSecretBasic
                scopes: [crm.read]
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: demo-oauth, namespace: demo}
        stringData: {client-secret: %s}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: crm, namespace: demo}
        spec:
          provider: demo-crm
          parameters: {port: "%s"}
          auth:
            oauth2:
              clientId: %s
              clientSecretRef: {name: demo-oauth, key: client-secret}
        """.formatted(DemoProvider.CLIENT_SECRET, port, DemoProvider.CLIENT_ID));
    assertThat(run(kubectl, "apply", "-f", manifest.toString())).contains("apiprovider.keyward.io/demo-crm created")
        .contains("apiconnector.keyward.io/crm created");
    assertThat(run(kubectl, "get", "apiproviders")).contains("demo-crm"); // local mode: NAME and AGE only
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(row(kubectl, "crm"))
        .containsSubsequence("crm", "oauth2", "True"));
    var status = local.api().client().resources(io.keyward.api.v1alpha1.ApiConnector.class).inNamespace("demo")
        .withName("crm").get().getStatus();
    assertThat(status.provider).isEqualTo("demo-crm");
    assertThat(status.providerSource).isEqualTo("ApiProvider");
    assertThat(echo(kubectl)).isEqualTo(200);
  }

  /** {@code kubectl keyward ARGS} against local mode: kubectl finds the launcher in {@code bin} on the PATH. */
  String plugin(Path bin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("kubectl", "keyward"));
    command.addAll(List.of(args));
    command.addAll(List.of("--kubeconfig", local.kubeconfig().toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("KEYWARD_JAR", Path.of("target/keyward.jar").toAbsolutePath().toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void aTakenPortIsAClearError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(List.of(), taken.getLocalPort()))
          .isInstanceOf(LocalModeException.class)
          .hasMessageContaining("port " + taken.getLocalPort()).hasMessageContaining("--provider-port");
    }
  }

  String crm(String scopes) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: crm-oauth, namespace: demo}
        stringData: {client-secret: %s}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: crm, namespace: demo}
        spec:
          auth:
            oauth2:
              tokenUrl: %s
              clientId: %s
              clientSecretRef: {name: crm-oauth, key: client-secret}
              scopes: %s
        """.formatted(DemoProvider.CLIENT_SECRET, local.provider().tokenUrl(), DemoProvider.CLIENT_ID, scopes);
  }

  String row(Path kubectl, String name) throws Exception {
    return run(kubectl, "get", "apiconnectors", "-n", "demo").lines()
        .filter(l -> l.startsWith(name + " ")).findFirst().orElse("");
  }

  String outputKey(Path kubectl, String key) throws Exception {
    return decode(run(kubectl, "get", "secret", "crm-credentials", "-n", "demo", "-o",
        "jsonpath={.data." + key + "}").strip());
  }

  int echo(Path kubectl) throws Exception {
    return echo(local.provider().baseUrl(), outputKey(kubectl, "header-name"), outputKey(kubectl, "header-value"));
  }

  static int echo(String baseUrl, String header, String value) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/echo")).header(header, value).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  String run(Path kubectl, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", local.kubeconfig().toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
