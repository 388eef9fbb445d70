package io.keyward.operator;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.AuthSpec;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.api.v1alpha1.auth.AuthMethod;
import io.keyward.api.v1alpha1.auth.BasicAuth;
import io.keyward.api.v1alpha1.auth.JwtAssertion;
import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.LogCapture;
import io.keyward.testing.SecretSweep;
import io.keyward.testing.ShippedLogging;
import io.keyward.testing.TestPki;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The secret-leak sweep: every auth type (and every OAuth2 grant and client authentication) run by
 * the real operator, with the logging configuration the jar ships and the root logger at TRACE; then
 * every log line, every Event, every connector (status included) and every line of {@code /metrics}
 * is searched for every secret value the run used: client secrets, refresh tokens, access tokens,
 * minted JWTs and assertions, private key material (given and generated), API keys, passwords,
 * passphrases, in plain text and as the base64 a Secret's {@code data} holds them in.
 *
 * <p>Issues, a refresh of each, a rotated API key, and two refusals whose error bodies echo secret
 * values (invalid_client with the client secret, invalid_grant with the refresh token) are covered.
 */
class SecretLeakSweepIT extends OperatorHarness {
  static final String HTTP_LOGGER = "io.fabric8.kubernetes.client.http.HttpLoggingInterceptor";
  static final String API_KEY = "ak-1f2e3d4c5b6a-api-key";
  static final String ROTATED_API_KEY = "ak-9a8b7c6d5e4f-rotated-api-key";
  static final String PASSWORD = "pw-5e6f7a8b-basic-password";
  static final String WRONG_SECRET = "cs-0badc0de-wrong-client-secret";
  static final String PASSPHRASE = "pp-open-sesame-4242";
  static final String SEED = "seed-refresh-token-sweep-1a2b";
  static final String PUBLIC_SEED = "seed-refresh-token-public-3c4d";
  static final String SPENT_SEED = "seed-refresh-token-spent-5e6f";
  /** The ones that fail on purpose, and the reason each shows. */
  static final Map<String, String> REFUSED = Map.of("refused-client", "InvalidClient",
      "refused-grant", "ReauthorizationRequired");

  final Map<String, ApiConnector> connectors = new LinkedHashMap<>();
  final Set<String> accessTokens = new LinkedHashSet<>();
  TokenServer mtls;
  OperatorHttpServer endpoints;
  ShippedLogging logging;

  private static HttpSender http() {
    return Loopback.sender();
  }

  @BeforeEach
  void traceWithTheShippedConfiguration() throws Exception {
    operator.close(); // the harness's, started with the tests' logging
    logs.close();
    logging = ShippedLogging.withRootAt(Level.TRACE);
    logs = new LogCapture();
  }

  @AfterEach
  void backToTheTestsLogging() throws Exception {
    if (endpoints != null) {
      endpoints.close();
    }
    if (mtls != null) {
      mtls.close();
    }
    logging.close();
  }

  @Test
  void noSecretValueReachesLogsEventsStatusOrMetricsAtTrace() throws Exception {
    userSecretsAndConnectors();
    operator = startOperator(testSettings(), http());
    endpoints = OperatorHttpServer.start(operator, 0);
    connectors.values().forEach(this::create);

    for (String name : connectors.keySet()) {
      if (REFUSED.containsKey(name)) {
        await().atMost(Duration.ofSeconds(60)).until(() -> degradedReason(name), REFUSED.get(name)::equals);
      } else {
        await().atMost(Duration.ofSeconds(60)).until(() -> readyReason(name), "CredentialIssued"::equals);
      }
    }
    // a refresh of each, and a rotated API key
    for (String name : connectors.keySet()) {
      if (!REFUSED.containsKey(name)) {
        requestRefresh(name, "2026-12-01T10:00:00Z");
      }
    }
    for (String name : connectors.keySet()) {
      if (!REFUSED.containsKey(name)) {
        await().atMost(Duration.ofSeconds(60)).until(() -> connector(name).getStatus().lastRefreshRequest,
            "2026-12-01T10:00:00Z"::equals);
      }
    }
    cluster.putSecret(NS, "erp-api", Map.of("api-key", ROTATED_API_KEY));
    awaitOutput("api-key-header-credentials", v -> ROTATED_API_KEY.equals(v.get("token")));
    awaitOutput("api-key-query-credentials", v -> ROTATED_API_KEY.equals(v.get("token")));
    assertThat(tokens.invalidGrants()).as("only the spent seed was refused").isEqualTo(1);

    assertThat(logs.count(Level.TRACE)).as("the sweep ran at TRACE").isPositive();
    assertThat(logs.text()).as("the log saw the run").contains("api-key-header", "jwt-exchange");
    SecretSweep sweep = sweep();
    String metrics = "http://127.0.0.1:" + endpoints.port() + "/metrics";
    assertThat(sweep.forbidden()).as("secret values to look for").hasSizeGreaterThan(30);
    assertThat(sweep.findings(SecretSweep.haystacks(logs, client, metrics))).as("secret values found").isEmpty();

    // the control: a Fabric8 client built while its HTTP logger is at TRACE (which the shipped configuration
    // prevents: Fabric8 installs that logger only then) prints the Secrets it reads, and the search finds them
    var http = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(HTTP_LOGGER);
    http.setLevel(Level.TRACE);
    try (KubernetesClient unpinned = cluster.client(null, 0)) {
      unpinned.secrets().inNamespace(NS).withName("basic-credentials").get();
    } finally {
      http.setLevel(Level.INFO);
    }
    assertThat(sweep.findings(SecretSweep.haystacks(logs, client, metrics))).as("found by the control")
        .anyMatch(f -> f.contains("basic-credentials") && f.contains(HTTP_LOGGER));

    for (ConfigMap jwks : client.configMaps().inNamespace(NS).list().getItems()) {
      assertThat(SecretSweep.privateMembers(Serialization.jsonMapper().readTree(jwks.getData().get("jwks.json"))))
          .as("private key members in ConfigMap %s", jwks.getMetadata().getName()).isEmpty();
    }
  }

  // ---- the run ----------------------------------------------------------------------------------

  private void userSecretsAndConnectors() throws Exception {
    cluster.putSecret(NS, "erp-api", Map.of("api-key", API_KEY));
    add("api-key-header", auth -> {
      auth.apiKey = new ApiKeyAuth();
      auth.apiKey.keyRef = new SecretKeyRef("erp-api", "api-key");
      auth.apiKey.header = "X-ERP-Key";
    });
    add("api-key-query", auth -> {
      auth.apiKey = new ApiKeyAuth();
      auth.apiKey.keyRef = new SecretKeyRef("erp-api", "api-key");
      auth.apiKey.in = ApiKeyAuth.Location.query;
    });

    cluster.putSecret(NS, "ledger", Map.of("username", "svc-ledger", "password", PASSWORD));
    add("basic", auth -> {
      auth.basic = new BasicAuth();
      auth.basic.usernameRef = new SecretKeyRef("ledger", "username");
      auth.basic.passwordRef = new SecretKeyRef("ledger", "password");
    });

    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    add("client-secret-basic", auth -> oauth2(auth, OAuth2Auth.Grant.clientCredentials,
        OAuth2Auth.ClientAuthentication.clientSecretBasic));
    add("client-secret-post", auth -> oauth2(auth, OAuth2Auth.Grant.clientCredentials,
        OAuth2Auth.ClientAuthentication.clientSecretPost));
    add("account-credentials", auth -> {
      oauth2(auth, OAuth2Auth.Grant.accountCredentials, OAuth2Auth.ClientAuthentication.clientSecretBasic);
      auth.oauth2.extraParams = Map.of("account_id", "sweep-account");
      auth.oauth2.header = "X-Sweep-Access-Token";
    });
    seed(SEED);
    connectors.put("refresh-token", refreshing("refresh-token"));

    cluster.putSecret(NS, "public-seed", Map.of("refresh-token", PUBLIC_SEED));
    tokens.seedRefreshToken(PUBLIC_SEED);
    add("public-client", auth -> {
      oauth2(auth, OAuth2Auth.Grant.refreshToken, OAuth2Auth.ClientAuthentication.none);
      auth.oauth2.clientSecretRef = null;
      auth.oauth2.refreshTokenRef = new SecretKeyRef("public-seed", "refresh-token");
    });

    var clientKey = new RSAKeyGenerator(2048).generate();
    cluster.putSecret(NS, "crm-key", Map.of("tls.key", pkcs8(clientKey.toPrivateKey())));
    add("private-key-jwt", auth -> {
      oauth2(auth, OAuth2Auth.Grant.clientCredentials, OAuth2Auth.ClientAuthentication.privateKeyJwt);
      auth.oauth2.clientSecretRef = null;
      auth.oauth2.clientAssertion = new JwtAssertion();
      auth.oauth2.clientAssertion.keyRef = new SecretKeyRef("crm-key", "tls.key");
    });

    var serviceAccount = new RSAKeyGenerator(2048).generate();
    cluster.putSecret(NS, "gsa", Map.of("key.json", """
        {"type": "service_account", "project_id": "demo", "private_key_id": "sa-kid-1",
         "private_key": "%s", "client_email": "keyward@demo.iam.gserviceaccount.com"}
        """.formatted(pkcs8(serviceAccount.toPrivateKey()).replace("\n", "\\n"))));
    add("jwt-bearer", auth -> {
      auth.oauth2 = new OAuth2Auth();
      auth.oauth2.grant = OAuth2Auth.Grant.jwtBearer;
      auth.oauth2.tokenUrl = tokens.tokenUrl();
      auth.oauth2.assertion = new JwtAssertion();
      auth.oauth2.assertion.keyRef = new SecretKeyRef("gsa", "key.json");
    });

    TestPki pki = new TestPki();
    mtls = new TokenServer(pki.serverContext(), true).override(r -> r.clientCertificateSubject() != null
        ? Response.json(200, accessToken("mtls-access-")) : Response.json(401, "{\"error\":\"invalid_client\"}"));
    cluster.putSecret(NS, "mtls", Map.of("tls.crt", pki.client.certificatePem(), "tls.key", pki.client.keyPem()));
    cluster.putSecret(NS, "corp-ca", Map.of("ca.crt", pki.ca.certificatePem()));
    add("tls-client-auth", auth -> {
      oauth2(auth, OAuth2Auth.Grant.clientCredentials, OAuth2Auth.ClientAuthentication.tlsClientAuth);
      auth.oauth2.tokenUrl = mtls.tokenUrl();
      auth.oauth2.clientSecretRef = null;
      auth.oauth2.clientCertificateRef = new SecretKeyRef("mtls", "tls.crt");
      auth.oauth2.clientKeyRef = new SecretKeyRef("mtls", "tls.key");
      auth.oauth2.caBundleRef = new SecretKeyRef("corp-ca", "ca.crt");
    });

    var signing = new RSAKeyGenerator(2048).generate();
    cluster.putSecret(NS, "logistics-key", Map.of("key.pem", encryptedPkcs8(signing.toPrivateKey(), PASSPHRASE),
        "passphrase", PASSPHRASE));
    add("jwt-pem", auth -> {
      jwt(auth, JwtAuth.Algorithm.RS256);
      auth.jwt.signingKey.secretRef = new SecretKeyRef("logistics-key", "key.pem");
      auth.jwt.signingKey.passphraseRef = new SecretKeyRef("logistics-key", "passphrase");
    });
    cluster.putSecret(NS, "logistics-jwk", Map.of("key.jwk", new ECKeyGenerator(Curve.P_256).generate().toJSONString()));
    add("jwt-jwk", auth -> {
      jwt(auth, JwtAuth.Algorithm.ES256);
      auth.jwt.signingKey.secretRef = new SecretKeyRef("logistics-jwk", "key.jwk");
    });
    add("jwt-generated", auth -> {
      jwt(auth, JwtAuth.Algorithm.RS256);
      auth.jwt.signingKey.generate = new JwtAuth.Generate();
      auth.jwt.signingKey.generate.type = JwtAuth.Generate.KeyType.RSA;
    });
    var app = new RSAKeyGenerator(2048).generate();
    cluster.putSecret(NS, "github-app", Map.of("key.pem", pkcs8(app.toPrivateKey())));
    add("jwt-exchange", auth -> {
      jwt(auth, JwtAuth.Algorithm.RS256);
      auth.jwt.signingKey.secretRef = new SecretKeyRef("github-app", "key.pem");
      auth.jwt.exchange = new JwtAuth.Exchange();
      auth.jwt.exchange.url = tokens.tokenUrl().replace("/oauth2/token", "/app/installations/42/access_tokens");
    });

    add("device-code", auth -> {
      oauth2(auth, OAuth2Auth.Grant.deviceCode, OAuth2Auth.ClientAuthentication.clientSecretBasic);
      auth.oauth2.deviceAuthorizationUrl = tokens.tokenUrl().replace("/oauth2/token", "/oauth2/device_authorization");
    });

    // refused, with error bodies that echo secret values (TokenServer's standard answers do)
    cluster.putSecret(NS, "wrong-oauth", Map.of("client-secret", WRONG_SECRET));
    add("refused-client", auth -> {
      oauth2(auth, OAuth2Auth.Grant.clientCredentials, OAuth2Auth.ClientAuthentication.clientSecretPost);
      auth.oauth2.clientSecretRef = new SecretKeyRef("wrong-oauth", "client-secret");
    });
    cluster.putSecret(NS, "spent-seed", Map.of("refresh-token", SPENT_SEED));
    add("refused-grant", auth -> {
      oauth2(auth, OAuth2Auth.Grant.refreshToken, OAuth2Auth.ClientAuthentication.clientSecretBasic);
      auth.oauth2.refreshTokenRef = new SecretKeyRef("spent-seed", "refresh-token");
    });

    tokens.override(this::answer);
    assertEveryAuthTypeIsSwept();
  }

  /** The provider's answers beyond TokenServer's standard ones (client credentials, refresh tokens). */
  private final java.util.concurrent.atomic.AtomicInteger devicePolls = new java.util.concurrent.atomic.AtomicInteger();

  private Response answer(TokenServer.Request r) {
    if (r.path().equals("/oauth2/device_authorization")) {
      return Response.json(200, "{\"device_code\":\"dc-" + UUID.randomUUID() + "\",\"user_code\":\"SWEE-PCDE\","
          + "\"verification_uri\":\"http://127.0.0.1:1/device\",\"expires_in\":600,\"interval\":1}");
    }
    if ("urn:ietf:params:oauth:grant-type:device_code".equals(r.form().get("grant_type"))) {
      if (devicePolls.incrementAndGet() == 1) {
        return Response.json(400, "{\"error\":\"authorization_pending\"}"); // then a person approves
      }
      String refresh = "device-refresh-token-" + UUID.randomUUID();
      tokens.seedRefreshToken(refresh);
      String token = "device-access-" + UUID.randomUUID();
      accessTokens.add(token);
      return Response.json(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
          + "\"refresh_token\":\"" + refresh + "\"}");
    }
    if (r.path().startsWith("/app/installations/")) {
      String token = "ghs_" + UUID.randomUUID().toString().replace("-", "");
      accessTokens.add(token);
      return Response.json(201, "{\"token\":\"" + token + "\",\"expires_at\":\""
          + java.time.Instant.now().plus(Duration.ofHours(1)) + "\"}");
    }
    if ("account_credentials".equals(r.form().get("grant_type"))) {
      String[] client = TokenServer.presentedClient(r);
      return client != null && CLIENT_SECRET.equals(client[1])
          ? Response.json(200, accessToken("account-access-"))
          : Response.json(401, "{\"error\":\"invalid_client\"}");
    }
    if (r.form().containsKey("client_assertion")) {
      return Response.json(200, accessToken("private-key-jwt-access-"));
    }
    if ("urn:ietf:params:oauth:grant-type:jwt-bearer".equals(r.form().get("grant_type"))) {
      return Response.json(200, accessToken("jwt-bearer-access-"));
    }
    if ("refresh_token".equals(r.form().get("grant_type")) && TokenServer.presentedClient(r) == null
        && "crm-client".equals(r.form().get("client_id"))) {
      String next = tokens.rotateRefreshToken(r.form().get("refresh_token")); // a public client
      if (next == null) {
        return Response.json(400, "{\"error\":\"invalid_grant\"}");
      }
      String token = "public-access-" + UUID.randomUUID();
      accessTokens.add(token);
      return Response.json(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
          + "\"refresh_token\":\"" + next + "\"}");
    }
    return null;
  }

  private String accessToken(String prefix) {
    String token = prefix + UUID.randomUUID();
    accessTokens.add(token);
    return "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}";
  }

  private void add(String name, Consumer<AuthSpec> auth) {
    connectors.put(name, connector(name, auth));
  }

  private void oauth2(AuthSpec auth, OAuth2Auth.Grant grant, OAuth2Auth.ClientAuthentication how) {
    auth.oauth2 = new OAuth2Auth();
    auth.oauth2.grant = grant;
    auth.oauth2.tokenUrl = tokens.tokenUrl();
    auth.oauth2.clientId = "crm-client";
    auth.oauth2.clientAuthentication = how;
    auth.oauth2.clientSecretRef = new SecretKeyRef("crm-oauth", "client-secret");
    if (grant == OAuth2Auth.Grant.refreshToken) {
      auth.oauth2.refreshTokenRef = new SecretKeyRef("crm-seed", "refresh-token");
    }
  }

  private static void jwt(AuthSpec auth, JwtAuth.Algorithm algorithm) {
    auth.jwt = new JwtAuth();
    auth.jwt.algorithm = algorithm;
    auth.jwt.signingKey = new JwtAuth.SigningKey();
    auth.jwt.claims = new JwtAuth.Claims();
    auth.jwt.claims.issuer = "keyward-sweep";
  }

  /** Every block of spec.auth, every OAuth2 grant and client authentication, every JWT key source. */
  private void assertEveryAuthTypeIsSwept() {
    List<AuthSpec> specs = connectors.values().stream().map(c -> c.getSpec().auth).toList();
    Arrays.stream(AuthSpec.class.getFields())
        .filter(f -> !Modifier.isStatic(f.getModifiers()) && AuthMethod.class.isAssignableFrom(f.getType()))
        .forEach(f -> assertThat(specs).as("a connector with spec.auth.%s", f.getName()).anyMatch(a -> {
          try {
            return f.get(a) != null;
          } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
          }
        }));
    List<OAuth2Auth> oauth2 = specs.stream().filter(a -> a.oauth2 != null).map(a -> a.oauth2).toList();
    for (OAuth2Auth.Grant grant : OAuth2Auth.Grant.values()) {
      assertThat(oauth2).as("grant %s", grant).anyMatch(o -> o.grantOrDefault() == grant);
    }
    for (OAuth2Auth.ClientAuthentication how : OAuth2Auth.ClientAuthentication.values()) {
      assertThat(oauth2).as("client authentication %s", how).anyMatch(o -> o.clientAuthenticationOrDefault() == how);
    }
    List<JwtAuth> jwts = specs.stream().filter(a -> a.jwt != null).map(a -> a.jwt).toList();
    assertThat(jwts).as("a signing key from a Secret, generated keys, an exchange")
        .anyMatch(j -> j.signingKey.secretRef != null).anyMatch(j -> j.signingKey.generate != null)
        .anyMatch(j -> j.exchange != null);
  }

  private String readyReason(String name) {
    var c = connector(name);
    return c == null || c.getStatus() == null ? null : c.getStatus().condition("Ready").map(r -> r.reason).orElse(null);
  }

  private String degradedReason(String name) {
    var c = connector(name);
    return c == null || c.getStatus() == null ? null
        : c.getStatus().condition("Degraded").filter(d -> "True".equals(d.status)).map(d -> d.reason).orElse(null);
  }

  /** The secret values of the run: what the Secrets hold, and what went to and came from the providers. */
  private SecretSweep sweep() throws Exception {
    SecretSweep sweep = new SecretSweep();
    for (String v : List.of(API_KEY, ROTATED_API_KEY, PASSWORD, WRONG_SECRET, PASSPHRASE, CLIENT_SECRET, SEED,
        PUBLIC_SEED, SPENT_SEED)) {
      sweep.forbid(v, "a secret given in a Secret");
    }
    secretValues.forEach(v -> sweep.forbid(v, "a secret value of the harness"));
    accessTokens.forEach(v -> sweep.forbid(v, "an access token a provider issued"));
    for (int i = 1; i <= tokens.issuedCount(); i++) {
      sweep.forbid(TokenServer.token(i), "an access token a provider issued");
    }
    for (TokenServer.Request r : concat(tokens.requests(), mtls.requests())) {
      for (String field : List.of("client_secret", "refresh_token", "assertion", "client_assertion", "device_code")) {
        sweep.forbid(r.form().get(field), "a " + field + " sent to a provider");
      }
      if (r.header("Authorization") != null) {
        sweep.forbid(r.header("Authorization"), "an Authorization header sent to a provider");
        sweep.forbid(r.header("Authorization").replaceFirst("^\\S+ ", ""), "the credential of an Authorization header");
      }
    }
    tokens.liveRefreshTokens().forEach(v -> sweep.forbid(v, "a refresh token the provider accepts now"));
    return sweep.secretsOf(client, NS);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  static String pkcs8(java.security.PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  static String encryptedPkcs8(java.security.PrivateKey key, String passphrase) throws Exception {
    var encryptor = new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
        org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
        .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
        .setPassword(passphrase.toCharArray()).build();
    var out = new java.io.StringWriter();
    try (var writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
      writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, encryptor));
    }
    return out.toString();
  }
}
