package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Secret;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.AuthSpec;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.api.v1alpha1.auth.BasicAuth;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The real operator against the Fabric8 mock API server (CRUD mode) and a real token endpoint on
 * loopback: what a user would see in the output Secret, the status and the Events.
 */
class ApiConnectorIT extends OperatorHarness {
  static final String API_KEY = "ak-91c0ffee-api-key";
  static final String API_KEY_ROTATED = "ak-rotated-5b7e-api-key";
  static final String PASSWORD = "pw-d4e5f6-password";

  ApiConnectorIT() {
    secretValues.addAll(Set.of(API_KEY, API_KEY_ROTATED, PASSWORD));
  }

  // ---- the three auth types -------------------------------------------------------------------

  @Test
  void oauth2ClientCredentialsAreIssuedAndRefreshedBeforeExpiryAgainAndAgain() {
    // renewed at half-life: a published token has 5 s to spare, more than a stall of this machine
    tokens.expiresIn(10);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));

    Map<String, String> out = awaitOutput("crm-credentials", v -> v.get("token").startsWith("access-token-"));
    Instant firstSeen = Instant.now();
    assertThat(out).containsOnlyKeys("header-name", "header-value", "token", "token-type", "expires-at");
    assertThat(out.get("header-name")).isEqualTo("Authorization");
    assertThat(out.get("header-value")).isEqualTo("Bearer " + out.get("token"));
    assertThat(out.get("token-type")).isEqualTo("Bearer");
    assertThat(Instant.parse(out.get("expires-at"))).isAfter(firstSeen);
    assertOutputMetadata("crm", "crm-credentials");
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(connector("crm").getStatus().authType).isEqualTo("oauth2");

    // refreshed at half-life, three times, and the Secret never holds an expired token meanwhile
    Set<String> seen = new HashSet<>();
    Instant deadline = Instant.now().plusSeconds(60);
    while (tokens.issuedCount() < 4 && Instant.now().isBefore(deadline)) {
      Instant asked = Instant.now(); // before the read: a stall after it cannot age what was read
      Map<String, String> v = cluster.secretValues(NS, "crm-credentials");
      assertThat(Instant.parse(v.get("expires-at"))).as("expires-at of %s, asked at %s", v.get("token"), asked)
          .isAfter(asked);
      seen.add(v.get("token"));
      sleep(100); // the poll interval
    }
    assertThat(tokens.issuedCount()).isGreaterThanOrEqualTo(4);
    assertThat(seen).hasSizeGreaterThanOrEqualTo(3);
    // half-life rounded down to whole seconds, less jitter: requests at least 3.75 s apart, never a
    // storm (an upper bound, which a slow machine only makes easier to meet)
    long elapsed = Duration.between(firstSeen, Instant.now()).toSeconds();
    assertThat(tokens.issuedCount()).as("issued in %d s", elapsed).isLessThanOrEqualTo(3 + (int) (elapsed / 3));

    var status = connector("crm").getStatus();
    assertThat(status.expiresAt).isNotNull();
    assertThat(status.renewalTime).isNotNull();
    // kubectl describe says why the credential was issued and when Keyward looks again
    assertThat(status.lastIssueReason).isEqualTo("RenewalDue");
    assertThat(status.lastIssueMessage).startsWith("Renewal time ");
    assertThat(status.nextCheckTime).isEqualTo(status.renewalTime);
    assertThat(status.condition("Warning")).get().extracting(c -> c.reason).isEqualTo("ShortLifetime");
    assertThat(eventReasons("crm")).as("the first issue; no Event per routine refresh").containsExactly("Issued");
    int issuedBefore = tokens.issuedCount();
    int refreshes = operator.refreshes().getOrDefault("sales/crm", 0);
    // a refresh may go on meanwhile: counted by the token server first, by the metrics once written
    assertThat(refreshes).as("the refreshes are counted by the metrics instead (local mode's table)")
        .isBetween(issuedBefore - 2, tokens.issuedCount() - 1).isGreaterThan(0);
    assertNoSecretValueLeaked();
  }

  @Test
  void stateIsWrittenToTheStateSecretAndNotMountedOutput() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));
    awaitOutput("crm-credentials", v -> true);

    // client credentials have no issuer state: the state Secret keeps what the token was issued from, and
    // the token itself is read back from the output Secret (a routine refresh leaves the state Secret alone)
    Map<String, String> state = cluster.secretValues(NS, "crm-keyward-state");
    assertThat(state).containsKeys("fingerprint", "credential-in-output-since").doesNotContainKey("token");
    assertThat(state.values()).doesNotContain(TokenServer.token(1), CLIENT_SECRET);
    assertThat(cluster.secretValues(NS, "crm-credentials").values()).doesNotContain(CLIENT_SECRET);
    // nothing is due: no second call to the provider
    sleep(1500);
    assertThat(tokens.issuedCount()).isEqualTo(1);
  }

  @Test
  void apiKeyIsPublishedAndARotatedKeyReachesTheOutputWithinSeconds() {
    cluster.putSecret(NS, "erp", Map.of("api-key", API_KEY));
    ApiConnector c = connector("erp", auth -> {
      auth.apiKey = new ApiKeyAuth();
      auth.apiKey.keyRef = new SecretKeyRef("erp", "api-key");
      auth.apiKey.header = "X-ERP-Key";
    });
    create(c);

    Map<String, String> out = awaitOutput("erp-credentials", v -> true);
    assertThat(out).containsEntry("header-name", "X-ERP-Key").containsEntry("header-value", API_KEY)
        .containsEntry("token", API_KEY).containsEntry("token-type", "ApiKey").containsEntry("expires-at", "");
    assertOutputMetadata("erp", "erp-credentials");
    awaitCondition("erp", "Ready", "True", "CredentialIssued");
    assertThat(connector("erp").getStatus().expiresAt).isNull();
    assertThat(connector("erp").getStatus().lastIssueReason).isEqualTo("Issuing");
    assertThat(connector("erp").getStatus().nextCheckTime).as("a key that never expires: only a change").isNull();

    cluster.putSecret(NS, "erp", Map.of("api-key", API_KEY_ROTATED));
    awaitOutput("erp-credentials", v -> API_KEY_ROTATED.equals(v.get("header-value")));
    await().atMost(Duration.ofSeconds(10)).until(() -> "InputsChanged".equals(connector("erp").getStatus().lastIssueReason));
    assertThat(eventReasons("erp")).as("the key changed: a new credential a person caused")
        .containsExactly("Issued", "Reissued");
    assertNoSecretValueLeaked();
  }

  @Test
  void apiKeyInQueryCarriesQueryKeysAndAWarningCondition() {
    cluster.putSecret(NS, "maps", Map.of("key", API_KEY));
    create(connector("maps", auth -> {
      auth.apiKey = new ApiKeyAuth();
      auth.apiKey.keyRef = new SecretKeyRef("maps", "key");
      auth.apiKey.in = ApiKeyAuth.Location.query;
      auth.apiKey.queryParameter = "key";
    }));

    Map<String, String> out = awaitOutput("maps-credentials", v -> true);
    assertThat(out).containsEntry("query-name", "key").containsEntry("query-value", API_KEY)
        .containsEntry("header-name", "").containsEntry("header-value", "");
    awaitCondition("maps", "Warning", "True", "ApiKeyInQuery");
    assertNoSecretValueLeaked();
  }

  @Test
  void basicCredentialsFollowAPasswordChange() {
    cluster.putSecret(NS, "ledger", Map.of("password", PASSWORD));
    create(connector("ledger", auth -> {
      auth.basic = new BasicAuth();
      auth.basic.username = "svc-ledger";
      auth.basic.passwordRef = new SecretKeyRef("ledger", "password");
    }));

    Map<String, String> out = awaitOutput("ledger-credentials", v -> true);
    String encoded = java.util.Base64.getEncoder().encodeToString(("svc-ledger:" + PASSWORD).getBytes());
    secretValues.add(encoded);
    assertThat(out).containsEntry("header-name", "Authorization").containsEntry("header-value", "Basic " + encoded)
        .containsEntry("token-type", "Basic").containsEntry("expires-at", "");

    cluster.putSecret(NS, "ledger", Map.of("password", PASSWORD + "-2"));
    String encoded2 = java.util.Base64.getEncoder().encodeToString(("svc-ledger:" + PASSWORD + "-2").getBytes());
    secretValues.add(encoded2);
    awaitOutput("ledger-credentials", v -> ("Basic " + encoded2).equals(v.get("header-value")));
    assertNoSecretValueLeaked();
  }

  @Test
  void aHandEditedOutputSecretIsPutBack() {
    cluster.putSecret(NS, "erp", Map.of("api-key", API_KEY));
    create(connector("erp", auth -> {
      auth.apiKey = new ApiKeyAuth();
      auth.apiKey.keyRef = new SecretKeyRef("erp", "api-key");
    }));
    awaitOutput("erp-credentials", v -> true);

    Secret edited = client.secrets().inNamespace(NS).withName("erp-credentials").get();
    edited.getData().put("header-value", java.util.Base64.getEncoder().encodeToString("tampered".getBytes()));
    client.secrets().inNamespace(NS).resource(edited).update();

    awaitOutput("erp-credentials", v -> API_KEY.equals(v.get("header-value")));
  }

  // ---- bad input ------------------------------------------------------------------------------

  @Test
  void aMissingSecretIsReportedAndTheConnectorRecoversWhenItAppears() {
    create(oauth2("crm"));

    Condition ready = awaitCondition("crm", "Ready", "False", "SecretNotFound");
    assertThat(ready.message).contains("crm-oauth").contains("client-secret");
    assertThat(eventReasons("crm")).contains("SecretNotFound");
    assertThat(tokens.requests()).isEmpty();

    cluster.putSecret(NS, "crm-oauth", Map.of("wrong-key", "x"));
    awaitCondition("crm", "Ready", "False", "SecretNotFound");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        connector("crm").getStatus().condition("Ready").get().message).contains("has no key client-secret"));

    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    awaitOutput("crm-credentials", v -> v.get("token").equals(TokenServer.token(1)));
    assertNoSecretValueLeaked();
  }

  @Test
  void aMalformedTokenUrlIsAConfigurationErrorNamingTheField() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    ApiConnector c = oauth2("crm");
    c.getSpec().auth.oauth2.tokenUrl = "login.example.com/oauth2/token";
    create(c);

    Condition ready = awaitCondition("crm", "Ready", "False", "InvalidConfiguration");
    assertThat(ready.message).startsWith("spec.auth.oauth2.tokenUrl");
    assertThat(eventReasons("crm")).contains("InvalidConfiguration");
  }

  @Test
  void aCrossNamespaceReferenceIsRefused() {
    cluster.putSecret("other", "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    ApiConnector c = oauth2("crm");
    c.getSpec().auth.oauth2.clientSecretRef.namespace = "other";
    create(c);

    Condition ready = awaitCondition("crm", "Ready", "False", "CrossNamespaceReference");
    assertThat(ready.message).contains("other/crm-oauth").contains("own namespace");
    assertThat(tokens.requests()).isEmpty();
    assertThat(cluster.secretValues(NS, "crm-credentials")).isNull();
  }

  @Test
  void invalidClientIsTerminalWithoutARetryStormAndRecoversWhenTheSecretIsFixed() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", "wrong-" + CLIENT_SECRET));
    secretValues.add("wrong-" + CLIENT_SECRET);
    create(oauth2("crm"));

    Condition ready = awaitCondition("crm", "Ready", "False", "InvalidClient");
    assertThat(ready.message).contains("invalid_client");
    sleep(3000); // several backoff periods of the test configuration
    assertThat(tokens.requests()).hasSize(1);
    assertThat(eventReasons("crm")).containsOnlyOnce("InvalidClient");

    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(connector("crm").getStatus().consecutiveFailures).isZero();
    assertNoSecretValueLeaked();
  }

  @Test
  void aTerminalFailureWaitsForASpecChangeAndASpecChangeReissuesAtOnce() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    ApiConnector c = oauth2("crm");
    c.getSpec().auth.oauth2.clientId = "typo-client";
    create(c);
    awaitCondition("crm", "Ready", "False", "InvalidClient");
    sleep(1500);
    assertThat(tokens.requests()).hasSize(1);

    ApiConnector fixed = connector("crm");
    fixed.getSpec().auth.oauth2.clientId = "crm-client";
    client.resource(fixed).update();
    awaitCondition("crm", "Ready", "True", "CredentialIssued");

    ApiConnector rescoped = connector("crm");
    rescoped.getSpec().auth.oauth2.scopes = List.of("crm.read", "crm.write");
    client.resource(rescoped).update();
    awaitOutput("crm-credentials", v -> TokenServer.token(2).equals(v.get("token")));
    assertThat(tokens.requests().get(tokens.requests().size() - 1).form()).containsEntry("scope", "crm.read crm.write");
    assertThat(connector("crm").getStatus().observedGeneration).isEqualTo(connector("crm").getMetadata().getGeneration());
    assertNoSecretValueLeaked();
  }

  @Test
  void theRefreshAnnotationRefreshesOnceAtOnceEvenDuringBackoff() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));

    requestRefresh("crm", "2026-11-22T10:00:00Z");
    awaitOutput("crm-credentials", v -> TokenServer.token(2).equals(v.get("token")));
    await().atMost(Duration.ofSeconds(10)).until(() -> connector("crm").getStatus().lastRefreshRequest,
        "2026-11-22T10:00:00Z"::equals);
    sleep(1500);
    assertThat(tokens.issuedCount()).as("acted on once, not on every resync").isEqualTo(2);

    tokens.override(r -> Response.json(503, "{}"));
    requestRefresh("crm", "2026-11-22T10:01:00Z");
    awaitCondition("crm", "Degraded", "True", "TokenEndpointUnavailable");
    tokens.override(r -> Response.json(200,
        "{\"access_token\":\"manual-after-backoff\",\"token_type\":\"Bearer\",\"expires_in\":3600}"));
    requestRefresh("crm", "2026-11-22T10:02:00Z");
    awaitOutput("crm-credentials", v -> "manual-after-backoff".equals(v.get("token")));
    secretValues.add("manual-after-backoff");
    assertThat(eventReasons("crm")).as("each requested refresh, the failure, its recovery")
        .containsExactly("Issued", "Reissued", "TokenEndpointUnavailable", "Reissued", "Recovered");
    assertNoSecretValueLeaked();
  }

  @Test
  void privateKeyJwtKeepsTheKeyOutOfEverythingAUserSees() throws Exception {
    var key = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).generate();
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.toPrivateKey().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    secretValues.add(pem.lines().skip(1).findFirst().orElseThrow());
    cluster.putSecret(NS, "crm-key", Map.of("tls.key", pem));
    tokens.override(r -> {
      try {
        var jwt = com.nimbusds.jwt.SignedJWT.parse(r.form().get("client_assertion"));
        boolean valid = jwt.verify(new com.nimbusds.jose.crypto.RSASSAVerifier(key.toRSAPublicKey()))
            && "crm-client".equals(jwt.getJWTClaimsSet().getSubject());
        return valid ? Response.json(200, "{\"access_token\":\"pkjwt-token\",\"token_type\":\"Bearer\"}")
            : Response.json(401, "{\"error\":\"invalid_client\"}");
      } catch (Exception e) {
        return Response.json(401, "{\"error\":\"invalid_client\"}");
      }
    });
    secretValues.add("pkjwt-token");
    create(connector("crm", auth -> {
      auth.oauth2 = new OAuth2Auth();
      auth.oauth2.tokenUrl = tokens.tokenUrl();
      auth.oauth2.clientId = "crm-client";
      auth.oauth2.clientAuthentication = OAuth2Auth.ClientAuthentication.privateKeyJwt;
      auth.oauth2.clientAssertion = new io.keyward.api.v1alpha1.auth.JwtAssertion();
      auth.oauth2.clientAssertion.keyRef = new SecretKeyRef("crm-key", "tls.key");
    }));

    awaitOutput("crm-credentials", v -> "pkjwt-token".equals(v.get("token")));
    assertThat(String.join("\n", cluster.secretValues(NS, "crm-keyward-state").values())).doesNotContain("PRIVATE KEY");
    assertThat(String.join("\n", cluster.secretValues(NS, "crm-credentials").values())).doesNotContain("PRIVATE KEY");
    assertNoSecretValueLeaked();
  }

  @Test
  void jwtsAreMintedAndReMintedBeforeTheyExpire() throws Exception {
    var key = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).generate();
    secretValues.add(key.getD().toString());
    cluster.putSecret(NS, "logistics-key", Map.of("key.jwk", key.toJSONString()));
    create(connector("logistics", auth -> {
      auth.jwt = new io.keyward.api.v1alpha1.auth.JwtAuth();
      auth.jwt.algorithm = io.keyward.api.v1alpha1.auth.JwtAuth.Algorithm.ES256;
      auth.jwt.signingKey = new io.keyward.api.v1alpha1.auth.JwtAuth.SigningKey();
      auth.jwt.signingKey.secretRef = new SecretKeyRef("logistics-key", "key.jwk");
      auth.jwt.claims = new io.keyward.api.v1alpha1.auth.JwtAuth.Claims();
      auth.jwt.claims.issuer = "keyward";
      auth.jwt.ttl = "12s";
    }));

    Map<String, String> out = awaitOutput("logistics-credentials", v -> true);
    assertThat(out.get("header-value")).isEqualTo("Bearer " + out.get("token"));
    // re-minted at half-life: a published JWT has 6 s to spare, more than a stall of this machine
    Set<String> seen = new HashSet<>();
    Instant deadline = Instant.now().plusSeconds(60);
    while (seen.size() < 3 && Instant.now().isBefore(deadline)) {
      Instant asked = Instant.now(); // before the read: a stall after it cannot age what was read
      Map<String, String> v = cluster.secretValues(NS, "logistics-credentials");
      var jwt = com.nimbusds.jwt.SignedJWT.parse(v.get("token"));
      assertThat(jwt.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(key.toECPublicKey()))).isTrue();
      assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant()).as("exp, asked at %s", asked).isAfter(asked);
      seen.add(v.get("token"));
      sleep(100); // the poll interval
    }
    assertThat(seen).hasSizeGreaterThanOrEqualTo(3);
    assertThat(connector("logistics").getStatus().authType).isEqualTo("jwt");
    assertNoSecretValueLeaked();
  }

  @Test
  void generatedKeysArePublishedInTheJwksConfigMapAndNeverInTheOutput() throws Exception {
    create(generatedKeys("logistics", io.keyward.api.v1alpha1.auth.JwtAuth.Algorithm.EdDSA,
        io.keyward.api.v1alpha1.auth.JwtAuth.Generate.KeyType.OKP));

    Map<String, String> out = awaitOutput("logistics-credentials", v -> true);
    var configMap = client.configMaps().inNamespace(NS).withName("logistics-jwks").get();
    var jwks = com.nimbusds.jose.jwk.JWKSet.parse(configMap.getData().get("jwks.json"));
    var jwt = com.nimbusds.jwt.SignedJWT.parse(out.get("token"));
    var key = jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
    assertThat(key).isNotNull();
    assertThat(key.isPrivate()).isFalse();
    assertThat(jwt.verify(new com.nimbusds.jose.crypto.Ed25519Verifier(key.toOctetKeyPair()))).isTrue();
    assertThat(configMap.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getName()).isEqualTo("logistics"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      var status = connector("logistics").getStatus();
      assertThat(status.currentKeyId).isEqualTo(jwt.getHeader().getKeyID());
      assertThat(status.nextKeyRotation).isNotNull();
    });
    String privatePart = cluster.secretValues(NS, "logistics-keyward-state").get("state.signing-keys");
    assertThat(privatePart).contains("\"d\"");
    var entry = (Map<?, ?>) ((List<?>) com.nimbusds.jose.util.JSONObjectUtils.parse(privatePart).get("keys")).get(0);
    String d = (String) ((Map<?, ?>) entry.get("jwk")).get("d");
    assertThat(d).hasSizeGreaterThan(40);
    secretValues.add(d);
    assertThat(String.join("\n", out.values())).doesNotContain(d);
    assertThat(configMap.getData().get("jwks.json")).doesNotContain(d);
    assertNoSecretValueLeaked();
  }

  @Test
  void aBrokenTokenEndpointKeepsTheValidCredentialAndBacksOff() {
    // renewed at half-life (about 8 s in): the first token is still valid for 8 s more while the
    // endpoint is broken; from the second request on the endpoint answers HTML, decided by the
    // count and not by when this thread gets to it (before, a late override could miss the renewal)
    tokens.expiresIn(16);
    String html = "<html>maintenance page " + CLIENT_SECRET + "</html>";
    tokens.override(r -> tokens.issuedCount() == 0 ? null : new Response(200, "text/html", html.getBytes(), Map.of()));
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));

    Condition degraded = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
        .until(() -> connector("crm").getStatus().condition("Degraded").orElse(null),
            c -> c != null && "True".equals(c.status) && "InvalidTokenResponse".equals(c.reason));
    assertThat(degraded.message).contains("not a JSON object").doesNotContain("maintenance");
    Instant asked = Instant.now();
    Map<String, String> kept = cluster.secretValues(NS, "crm-credentials");
    assertThat(kept.get("token")).isEqualTo(TokenServer.token(1));
    assertThat(Instant.parse(kept.get("expires-at"))).as("the kept credential is still valid").isAfter(asked);
    await().atMost(Duration.ofSeconds(15)).until(() -> connector("crm").getStatus().consecutiveFailures,
        n -> n != null && n >= 2);
    int before = tokens.requests().size();
    sleep(2000); // a window to count attempts in; a slow machine only makes fewer
    // backoff 0.5 s, 1 s, 2 s (±20 %): a handful of attempts, not a storm
    assertThat(tokens.requests().size() - before).isLessThanOrEqualTo(4);
    assertThat(tokens.issuedCount()).as("good answers").isEqualTo(1);

    tokens.override(null);
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    awaitOutput("crm-credentials", v -> TokenServer.token(2).equals(v.get("token")));
    assertNoSecretValueLeaked();
  }

  @Test
  void anOutputNameTakenByAForeignSecretIsNotOverwritten() {
    cluster.putSecret(NS, "erp", Map.of("api-key", API_KEY));
    cluster.putSecret(NS, "erp-credentials", Map.of("mine", "do-not-touch"));
    create(connector("erp", auth -> {
      auth.apiKey = new ApiKeyAuth();
      auth.apiKey.keyRef = new SecretKeyRef("erp", "api-key");
    }));

    awaitCondition("erp", "Ready", "False", "SecretConflict");
    assertThat(cluster.secretValues(NS, "erp-credentials")).containsOnly(Map.entry("mine", "do-not-touch"));
  }

  // ---- review defects: no loops, no stuck Degraded, nobody else's ConfigMap --------------------

  @Test
  void aProviderThatIssuesExpiredTokensIsAskedAgainLaterNotInALoop() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    tokens.override(r -> Response.json(200, "{\"access_token\":\"born-expired-token\",\"token_type\":\"Bearer\","
        + "\"expires_at\":\"2020-01-01T00:00:00Z\"}"));
    secretValues.add("born-expired-token");
    ApiConnector c = oauth2("crm");
    c.getSpec().auth.oauth2.expiresAtField = "expires_at";
    create(c);

    awaitOutput("crm-credentials", v -> "born-expired-token".equals(v.get("token")));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(connector("crm").getStatus()
        .condition("Warning")).get().extracting(w -> w.reason).isEqualTo("ExpiredOnIssue"));
    sleep(4000);
    assertThat(tokens.requests()).as("token requests within 4 s of an already-expired answer").hasSize(1);
    assertNoSecretValueLeaked();
  }

  @Test
  void aFailedOutputWriteIsRetriedAndDegradedClearsOnceItSucceeds() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    var refused = new java.util.concurrent.atomic.AtomicInteger();
    cluster.intercept(r -> !"GET".equals(r.getMethod()) && (r.getPath().contains("/secrets/crm-credentials")
        || r.getPath().endsWith("/secrets") && new String(r.getBody().getBytes()).contains("\"crm-credentials\""))
        && refused.incrementAndGet() <= 1
            ? new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\","
                + "\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403}")
            : null);
    create(oauth2("crm"));

    await().atMost(Duration.ofSeconds(10)).until(() -> refused.get() >= 1);
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    assertThat(tokens.issuedCount()).as("the write was retried from state, not by asking the provider again")
        .isEqualTo(1);
    assertThat(eventReasons("crm")).contains("OutputWriteFailed");
    assertNoSecretValueLeaked();
  }

  @Test
  void aJwksConfigMapNameTakenBySomeoneElseIsNotOverwritten() {
    client.configMaps().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("logistics-jwks").withNamespace(NS).endMetadata()
        .withData(Map.of("jwks.json", "{\"keys\":[]}", "owner", "another team")).build()).create();
    create(generatedKeys("logistics", io.keyward.api.v1alpha1.auth.JwtAuth.Algorithm.ES256,
        io.keyward.api.v1alpha1.auth.JwtAuth.Generate.KeyType.EC));

    Condition ready = awaitCondition("logistics", "Ready", "False", "ConfigMapConflict");
    assertThat(ready.message).contains("logistics-jwks").contains("not managed by this connector");
    var configMap = client.configMaps().inNamespace(NS).withName("logistics-jwks").get();
    assertThat(configMap.getData()).containsEntry("owner", "another team").containsEntry("jwks.json", "{\"keys\":[]}");
    assertThat(client.secrets().inNamespace(NS).withName("logistics-credentials").get())
        .as("no token is published whose key is not in the JWKS").isNull();
  }

  // ---- validation against the provider's JWKS ---------------------------------------------------

  @Test
  void tokensThatFailTheProvidersJwksIssuerOrAudienceAreNotPublished() throws Exception {
    var providerKey = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).keyID("p1").generate();
    var strangerKey = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).keyID("x9").generate();
    var signer = new java.util.concurrent.atomic.AtomicReference<>(providerKey);
    var issuer = new java.util.concurrent.atomic.AtomicReference<>("https://login.example.com");
    var jwksFetches = new java.util.concurrent.atomic.AtomicInteger();
    var minted = new java.util.concurrent.atomic.AtomicInteger();
    tokens.override(r -> {
      if (r.path().equals("/jwks")) {
        jwksFetches.incrementAndGet();
        return Response.json(200, new com.nimbusds.jose.jwk.JWKSet(providerKey.toPublicJWK()).toString());
      }
      try {
        var claims = new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer(issuer.get()).audience("crm-api")
            .expirationTime(java.util.Date.from(Instant.now().plusSeconds(3600))).jwtID("t" + minted.incrementAndGet())
            .build();
        var jwt = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(
            com.nimbusds.jose.JWSAlgorithm.ES256).keyID(signer.get().getKeyID()).build(), claims);
        jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(signer.get()));
        return Response.json(200, "{\"access_token\":\"" + jwt.serialize() + "\",\"token_type\":\"Bearer\","
            + "\"expires_in\":3600}");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    ApiConnector c = oauth2("crm");
    c.getSpec().validation = new io.keyward.api.v1alpha1.ValidationSpec();
    c.getSpec().validation.jwksUrl = tokens.tokenUrl().replace("/oauth2/token", "/jwks");
    c.getSpec().validation.issuer = "https://login.example.com";
    c.getSpec().validation.audience = "crm-api";
    create(c);

    String good = awaitOutput("crm-credentials", v -> v.get("token").startsWith("eyJ")).get("token");
    secretValues.add(good);
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(jwksFetches.get()).isEqualTo(1);

    // signed by a key the provider's JWKS does not hold: not published, the good token stays
    signer.set(strangerKey);
    requestRefresh("crm", "2026-11-22T10:00:00Z");
    Condition degraded = awaitCondition("crm", "Degraded", "True", "TokenValidationFailed");
    assertThat(degraded.message).contains("signature").doesNotContain("eyJ");
    assertThat(cluster.secretValues(NS, "crm-credentials").get("token")).isEqualTo(good);
    assertThat(jwksFetches.get()).as("an unknown kid fetches the JWKS again, rate-limited").isBetween(1, 2);

    // the right key but the wrong issuer: not published either, and not retried until the spec changes
    signer.set(providerKey);
    issuer.set("https://evil.example.com");
    requestRefresh("crm", "2026-11-22T10:01:00Z");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(connector("crm").getStatus()
        .condition("Degraded")).get().satisfies(d -> assertThat(d.message).contains("iss is not spec.validation.issuer").doesNotContain("evil")));
    assertThat(cluster.secretValues(NS, "crm-credentials").get("token")).isEqualTo(good);
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertNoSecretValueLeaked();
  }
}
