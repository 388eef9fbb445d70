package io.keyward.local;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.PlainClientSecret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.keyward.credential.validation.JwksVerification;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A built-in provider for local mode, on loopback: an OAuth 2.0 token endpoint (client credentials,
 * and refresh tokens that rotate: reusing an old one fails with {@code invalid_grant}), an
 * authorization endpoint with a consent page (authorization code with PKCE S256, for
 * {@code keyward authorize}), a device authorization endpoint with a verification page (RFC 8628,
 * for grant deviceCode and {@code keyward authorize --device}), a revocation endpoint (RFC 7009)
 * and an introspection endpoint (RFC 7662), a JWKS for
 * the JWT access tokens it issues, and an echo endpoint that accepts only a valid credential:
 * its API key, its Basic credential, its own access tokens, and JWTs that the client
 * {@value #JWT_CLIENT} signs, checked against the JWKS the operator publishes for that connector
 * (the provider side of "register your jwks_uri"). Its credentials are demo values, published in
 * {@code examples/local/}.
 */
public final class DemoProvider implements AutoCloseable {
  public static final String CLIENT_ID = "demo-client";
  public static final String CLIENT_SECRET = "demo-client-secret";
  public static final String API_KEY = "demo-api-key-4f1c";
  public static final String BASIC_USER = "demo-user";
  public static final String BASIC_PASSWORD = "demo-password";
  public static final String SEED_REFRESH_TOKEN = "demo-seed-refresh-token";
  /** What its authorization redirect names next to the code, as QuickBooks sends {@code realmId}. */
  public static final String DEMO_REALM = "demo-realm-4620";
  /** The connector ({@code <namespace>/<name>}) whose self-signed JWTs the echo endpoint accepts. */
  public static final String JWT_CLIENT = "demo/shipments";

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final Clock clock;
  private final Duration tokenLifetime;
  private final RSAKey signingKey;
  private final Set<String> liveRefreshTokens = ConcurrentHashMap.newKeySet();
  private final Map<String, Pending> consents = new ConcurrentHashMap<>();
  private final Map<String, Pending> codes = new ConcurrentHashMap<>();
  private final AtomicInteger issued = new AtomicInteger();
  private final AtomicInteger metadataReads = new AtomicInteger();
  private final Map<String, Device> devices = new ConcurrentHashMap<>(); // by device code
  private final Set<String> revokedAccessTokens = ConcurrentHashMap.newKeySet();
  private final java.util.List<String> revocations = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile Duration deviceCodeLifetime = Duration.ofMinutes(10);
  private volatile Duration deviceInterval = Duration.ofSeconds(5);
  private volatile ConfigurableJWTProcessor<SecurityContext> clientJwts; // null: no client JWKS registered

  public DemoProvider(int port, Clock clock, Duration tokenLifetime) {
    this.clock = clock;
    this.tokenLifetime = tokenLifetime;
    try {
      this.signingKey = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (BindException e) {
      throw new LocalModeException("port " + port + " on 127.0.0.1 is already in use; choose another with --provider-port");
    } catch (IOException | JOSEException e) {
      throw new IllegalStateException("could not start the demo provider", e);
    }
    liveRefreshTokens.add(SEED_REFRESH_TOKEN);
    server.createContext("/oauth2/token", this::token);
    server.createContext("/oauth2/authorize", this::authorize);
    server.createContext("/oauth2/device_authorization", this::deviceAuthorization);
    server.createContext("/device", this::verify);
    server.createContext("/oauth2/revoke", this::revoke);
    server.createContext("/oauth2/introspect", this::introspect);
    server.createContext("/.well-known/openid-configuration", this::metadata);
    server.createContext("/jwks", this::jwks);
    server.createContext("/echo", this::echo);
    server.setExecutor(executor);
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public String tokenUrl() {
    return baseUrl() + "/oauth2/token";
  }

  /** The authorization endpoint: a consent page (Allow, Deny) for the authorization code flow with PKCE S256. */
  public String authorizationUrl() {
    return baseUrl() + "/oauth2/authorize";
  }

  /** The device authorization endpoint (RFC 8628): a device code, and a user code to enter at {@link #verificationUrl()}. */
  public String deviceAuthorizationUrl() {
    return baseUrl() + "/oauth2/device_authorization";
  }

  /** The verification page where a person enters a user code and allows or denies it. */
  public String verificationUrl() {
    return baseUrl() + "/device";
  }

  /** The revocation endpoint (RFC 7009): a revoked refresh token is refused, a revoked access token fails at the echo endpoint. */
  public String revocationUrl() {
    return baseUrl() + "/oauth2/revoke";
  }

  /** The introspection endpoint (RFC 7662) for the access tokens it issued. */
  public String introspectionUrl() {
    return baseUrl() + "/oauth2/introspect";
  }

  /** How long a device code lives and how often it may be polled (default 10 min and 5 s). */
  public DemoProvider withDeviceCodes(Duration lifetime, Duration interval) {
    this.deviceCodeLifetime = lifetime;
    this.deviceInterval = interval;
    return this;
  }

  /** Its issuer identifier: {@code <issuer>/.well-known/openid-configuration} names its endpoints. */
  public String issuerUrl() {
    return baseUrl();
  }

  /** How often its metadata document was read. */
  public int metadataReads() {
    return metadataReads.get();
  }

  /** The kinds of token revoked so far, in order ({@code refresh_token}, {@code access_token}). */
  public java.util.List<String> revocations() {
    return java.util.List.copyOf(revocations);
  }

  /** Whether {@code refreshToken} is one this provider would accept now (issued and not yet rotated). */
  public boolean acceptsRefreshToken(String refreshToken) {
    return liveRefreshTokens.contains(refreshToken);
  }

  /**
   * Registers the client's {@code jwks_uri}: JWTs signed by a key published there, for this
   * provider ({@code aud} = {@link #baseUrl()}) and unexpired, are accepted by the echo endpoint.
   * The JWKS is cached and fetched again when a token names a key it does not hold (a rotation).
   */
  public void trustClientJwks(URI jwksUri) {
    ConfigurableJWTProcessor<SecurityContext> processor;
    try {
      processor = JwksVerification.processor(JWKSourceBuilder.<SecurityContext>create(jwksUri.toURL())
          .retrying(false).build());
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("not a JWKS URL: " + jwksUri, e);
    }
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(baseUrl(), null, Set.of("exp")) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    });
    clientJwts = processor;
  }

  /** Access tokens issued so far. */
  public int issuedCount() {
    return issued.get();
  }

  private void token(HttpExchange exchange) throws IOException {
    HTTPResponse response;
    try {
      TokenRequest request = TokenRequest.parse(toNimbus(exchange));
      response = answer(request).toHTTPResponse();
    } catch (ParseException e) {
      response = new TokenErrorResponse(e.getErrorObject() == null ? OAuth2Error.INVALID_REQUEST : e.getErrorObject())
          .toHTTPResponse();
    }
    send(exchange, response.getStatusCode(), response.getBody());
  }

  private com.nimbusds.oauth2.sdk.Response answer(TokenRequest request) {
    if (!ourClient(request.getClientAuthentication(), null)) { // its token endpoint wants the client secret
      return new TokenErrorResponse(OAuth2Error.INVALID_CLIENT);
    }
    AuthorizationGrant grant = request.getAuthorizationGrant();
    RefreshToken rotated = null;
    if (grant instanceof RefreshTokenGrant refresh) {
      if (!liveRefreshTokens.remove(refresh.getRefreshToken().getValue())) {
        return new TokenErrorResponse(OAuth2Error.INVALID_GRANT.setDescription("refresh token is not valid"));
      }
      rotated = new RefreshToken("demo-rt-" + UUID.randomUUID());
      liveRefreshTokens.add(rotated.getValue());
    } else if (grant instanceof AuthorizationCodeGrant code) {
      Pending granted = codes.remove(code.getAuthorizationCode().getValue()); // single use
      if (granted == null || clock.instant().isAfter(granted.expires())
          || !granted.redirectUri().equals(code.getRedirectionURI())
          || code.getCodeVerifier() == null
          || !CodeChallenge.compute(CodeChallengeMethod.S256, code.getCodeVerifier()).equals(granted.challenge())) {
        return new TokenErrorResponse(OAuth2Error.INVALID_GRANT.setDescription(
            "the code is unknown, spent, expired, for another redirect_uri, or the code_verifier does not match"));
      }
      rotated = new RefreshToken("demo-rt-" + UUID.randomUUID());
      liveRefreshTokens.add(rotated.getValue());
    } else if (grant instanceof com.nimbusds.oauth2.sdk.device.DeviceCodeGrant device) {
      Device pending = devices.get(device.getDeviceCode().getValue());
      Instant now = clock.instant();
      if (pending == null) {
        return new TokenErrorResponse(OAuth2Error.INVALID_GRANT.setDescription("unknown device code"));
      }
      if (!now.isBefore(pending.expires)) {
        devices.remove(device.getDeviceCode().getValue());
        return new TokenErrorResponse(com.nimbusds.oauth2.sdk.device.DeviceAuthorizationGrantError.EXPIRED_TOKEN);
      }
      Instant last = pending.lastPoll;
      pending.lastPoll = now;
      if (last != null && Duration.between(last, now).compareTo(pending.interval.dividedBy(2)) < 0) {
        pending.interval = pending.interval.plusSeconds(5); // RFC 8628 §3.5: polled too fast
        return new TokenErrorResponse(com.nimbusds.oauth2.sdk.device.DeviceAuthorizationGrantError.SLOW_DOWN);
      }
      if (pending.decision == null) {
        return new TokenErrorResponse(com.nimbusds.oauth2.sdk.device.DeviceAuthorizationGrantError.AUTHORIZATION_PENDING);
      }
      devices.remove(device.getDeviceCode().getValue()); // single use
      if (!pending.decision) {
        return new TokenErrorResponse(OAuth2Error.ACCESS_DENIED);
      }
      rotated = new RefreshToken("demo-rt-" + UUID.randomUUID());
      liveRefreshTokens.add(rotated.getValue());
    } else if (!(grant instanceof ClientCredentialsGrant)) {
      return new TokenErrorResponse(OAuth2Error.UNSUPPORTED_GRANT_TYPE);
    }
    try {
      var access = new BearerAccessToken(mint(request.getScope() == null ? "" : request.getScope().toString()),
          tokenLifetime.toSeconds(), request.getScope());
      issued.incrementAndGet();
      return new AccessTokenResponse(new Tokens(access, rotated));
    } catch (JOSEException e) {
      return new TokenErrorResponse(new ErrorObject("server_error", "signing failed", 500));
    }
  }

  /** A device authorization: its user code, until when, how often it may be polled, and the person's decision. */
  private static final class Device {
    final String userCode;
    final Instant expires;
    volatile Duration interval;
    volatile Instant lastPoll;
    volatile Boolean decision; // null: not yet

    Device(String userCode, Instant expires, Duration interval) {
      this.userCode = userCode;
      this.expires = expires;
      this.interval = interval;
    }
  }

  /** RFC 8628 §3.1: our client (public, or with its secret) asks; a device code and a user code come back. */
  private void deviceAuthorization(HttpExchange exchange) throws IOException {
    HTTPResponse response;
    try {
      var request = com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest.parse(toNimbus(exchange));
      if (!ourClient(request.getClientAuthentication(), request.getClientID())) {
        response = new TokenErrorResponse(OAuth2Error.INVALID_CLIENT).toHTTPResponse();
      } else {
        var deviceCode = new com.nimbusds.oauth2.sdk.device.DeviceCode();
        var userCode = new com.nimbusds.oauth2.sdk.device.UserCode(
            com.nimbusds.oauth2.sdk.device.UserCode.LETTER_CHAR_SET, 8);
        String shown = userCode.getValue(); // XXXX-XXXX
        Duration interval = deviceInterval;
        devices.put(deviceCode.getValue(), new Device(shown, clock.instant().plus(deviceCodeLifetime), interval));
        response = new com.nimbusds.oauth2.sdk.device.DeviceAuthorizationSuccessResponse(deviceCode,
            new com.nimbusds.oauth2.sdk.device.UserCode(shown), URI.create(verificationUrl()),
            URI.create(verificationUrl() + "?user_code=" + shown), deviceCodeLifetime.toSeconds(),
            interval.toSeconds(), null).toHTTPResponse();
      }
    } catch (ParseException e) {
      response = new TokenErrorResponse(OAuth2Error.INVALID_REQUEST).toHTTPResponse();
    }
    send(exchange, response.getStatusCode(), response.getBody());
  }

  /**
   * The verification page: GET shows a form for the user code (filled in from {@code ?user_code=});
   * POST (user_code, decision=allow|deny) records the person's decision.
   */
  private void verify(HttpExchange exchange) throws IOException {
    if ("POST".equals(exchange.getRequestMethod())) {
      Map<String, java.util.List<String>> form = com.nimbusds.oauth2.sdk.util.URLUtils.parseParameters(
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      String entered = first(form, "user_code");
      Device device = entered == null ? null : devices.values().stream()
          .filter(d -> d.userCode.equalsIgnoreCase(entered.strip()) && d.decision == null
              && clock.instant().isBefore(d.expires))
          .findFirst().orElse(null);
      if (device == null) {
        sendHtml(exchange, 400, "<p>This code is unknown, expired or already answered.</p>");
        return;
      }
      device.decision = "allow".equals(first(form, "decision"));
      sendHtml(exchange, 200, device.decision ? "<p>Done: the device is authorized. You can close this page.</p>"
          : "<p>Access denied.</p>");
      return;
    }
    String query = exchange.getRequestURI().getRawQuery();
    String code = query == null ? "" : com.nimbusds.oauth2.sdk.util.URLUtils.parseParameters(query)
        .getOrDefault("user_code", java.util.List.of("")).get(0);
    sendHtml(exchange, 200, "<h1>Keyward demo provider</h1><p>Enter the code shown for <b>" + html(CLIENT_ID)
        + "</b>:</p><form method=\"post\" action=\"/device\"><input name=\"user_code\" value=\"" + html(code)
        + "\"> <button name=\"decision\" value=\"allow\">Allow</button> "
        + "<button name=\"decision\" value=\"deny\">Deny</button></form>");
  }

  /** Its metadata document (OpenID Connect Discovery; RFC 8414 fields), built by Nimbus. */
  private void metadata(HttpExchange exchange) throws IOException {
    metadataReads.incrementAndGet();
    var metadata = new com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata(
        new com.nimbusds.oauth2.sdk.id.Issuer(issuerUrl()));
    metadata.setTokenEndpointURI(URI.create(tokenUrl()));
    metadata.setAuthorizationEndpointURI(URI.create(authorizationUrl()));
    metadata.setDeviceAuthorizationEndpointURI(URI.create(deviceAuthorizationUrl()));
    metadata.setRevocationEndpointURI(URI.create(revocationUrl()));
    metadata.setIntrospectionEndpointURI(URI.create(introspectionUrl()));
    metadata.setJWKSetURI(URI.create(baseUrl() + "/jwks"));
    metadata.setResponseTypes(java.util.List.of(ResponseType.CODE));
    metadata.setCodeChallengeMethods(java.util.List.of(CodeChallengeMethod.S256));
    send(exchange, 200, metadata.toJSONObject().toJSONString());
  }

  /** RFC 7009, for our client: 200 whether or not the token was known. */
  private void revoke(HttpExchange exchange) throws IOException {
    try {
      var request = com.nimbusds.oauth2.sdk.TokenRevocationRequest.parse(toNimbus(exchange));
      if (!ourClient(request.getClientAuthentication(), request.getClientID())) {
        HTTPResponse refused = new TokenErrorResponse(OAuth2Error.INVALID_CLIENT).toHTTPResponse();
        send(exchange, refused.getStatusCode(), refused.getBody());
        return;
      }
      String token = request.getToken().getValue();
      if (liveRefreshTokens.remove(token)) {
        revocations.add("refresh_token");
      } else if (validBearer(token)) {
        revokedAccessTokens.add(token);
        revocations.add("access_token");
      }
      send(exchange, 200, null);
    } catch (ParseException e) {
      HTTPResponse bad = new TokenErrorResponse(OAuth2Error.INVALID_REQUEST).toHTTPResponse();
      send(exchange, bad.getStatusCode(), bad.getBody());
    }
  }

  /** RFC 7662, for our client: active with exp for an unexpired, unrevoked access token of ours; else inactive. */
  private void introspect(HttpExchange exchange) throws IOException {
    try {
      var request = com.nimbusds.oauth2.sdk.TokenIntrospectionRequest.parse(toNimbus(exchange));
      if (!ourClient(request.getClientAuthentication(), null)) {
        send(exchange, 401, "{\"error\":\"invalid_client\"}");
        return;
      }
      String token = request.getToken().getValue();
      if (!validBearer(token)) {
        send(exchange, 200, "{\"active\":false}");
        return;
      }
      long exp = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant().getEpochSecond();
      send(exchange, 200, "{\"active\":true,\"client_id\":\"" + CLIENT_ID + "\",\"exp\":" + exp + "}");
    } catch (ParseException | java.text.ParseException e) {
      send(exchange, 400, "{\"error\":\"invalid_request\"}");
    }
  }

  /** Our client, with its secret, or as a public client by {@code publicId} where that may stand in (null: it may not). */
  private static boolean ourClient(ClientAuthentication auth, com.nimbusds.oauth2.sdk.id.ClientID publicId) {
    if (auth == null) {
      return publicId != null && CLIENT_ID.equals(publicId.getValue());
    }
    return auth instanceof PlainClientSecret secret && CLIENT_ID.equals(auth.getClientID().getValue())
        && CLIENT_SECRET.equals(secret.getClientSecret().getValue());
  }

  /** An authorization request waiting for the person's decision, then the code it became. */
  private record Pending(URI redirectUri, String state, CodeChallenge challenge, Instant expires) {}

  /**
   * GET: the consent page for an authorization request (response_type=code, our client, a loopback
   * http redirect_uri as RFC 8252 asks of native apps, PKCE S256). POST (decision=allow|deny): the
   * redirect to redirect_uri with a code, or with error=access_denied.
   */
  private void authorize(HttpExchange exchange) throws IOException {
    if ("POST".equals(exchange.getRequestMethod())) {
      Map<String, java.util.List<String>> form = com.nimbusds.oauth2.sdk.util.URLUtils.parseParameters(
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      Pending pending = consents.remove(first(form, "request"));
      if (pending == null) {
        sendHtml(exchange, 400, "<p>This consent request is unknown or was already answered.</p>");
        return;
      }
      StringBuilder location = new StringBuilder(pending.redirectUri().toString()).append('?');
      if ("allow".equals(first(form, "decision"))) {
        String code = "demo-code-" + UUID.randomUUID();
        codes.put(code, new Pending(pending.redirectUri(), pending.state(), pending.challenge(),
            clock.instant().plusSeconds(60)));
        location.append("code=").append(code).append("&realmId=").append(DEMO_REALM); // as QuickBooks names its company
      } else {
        location.append("error=access_denied&error_description=")
            .append(java.net.URLEncoder.encode("the user denied access", StandardCharsets.UTF_8));
      }
      if (pending.state() != null) {
        location.append("&state=").append(java.net.URLEncoder.encode(pending.state(), StandardCharsets.UTF_8));
      }
      exchange.getResponseHeaders().set("Location", location.toString());
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
      return;
    }
    AuthorizationRequest request;
    try {
      request = AuthorizationRequest.parse(URI.create("http://127.0.0.1" + exchange.getRequestURI()));
    } catch (ParseException e) {
      sendHtml(exchange, 400, "<p>Not an authorization request: " + html(e.getMessage()) + "</p>");
      return;
    }
    URI redirect = request.getRedirectionURI();
    String problem = !ResponseType.CODE.equals(request.getResponseType()) ? "response_type must be code"
        : !CLIENT_ID.equals(request.getClientID().getValue()) ? "unknown client_id"
        : redirect == null || !"http".equals(redirect.getScheme()) || !"127.0.0.1".equals(redirect.getHost())
            ? "redirect_uri must be http://127.0.0.1:<port>/... (RFC 8252)"
        : request.getCodeChallenge() == null || !CodeChallengeMethod.S256.equals(request.getCodeChallengeMethod())
            ? "PKCE with code_challenge_method S256 is required" : null;
    if (problem != null) {
      sendHtml(exchange, 400, "<p>" + html(problem) + "</p>");
      return;
    }
    String id = UUID.randomUUID().toString();
    consents.put(id, new Pending(redirect, request.getState() == null ? null : request.getState().getValue(),
        request.getCodeChallenge(), clock.instant().plusSeconds(600)));
    String scope = request.getScope() == null ? "(none)" : request.getScope().toString();
    sendHtml(exchange, 200, "<h1>Keyward demo provider</h1><p>Let <b>" + html(CLIENT_ID) + "</b> act for you"
        + " (scope: " + html(scope) + ")?</p><form method=\"post\" action=\"/oauth2/authorize\">"
        + "<input type=\"hidden\" name=\"request\" value=\"" + id + "\">"
        + "<button name=\"decision\" value=\"allow\">Allow</button> "
        + "<button name=\"decision\" value=\"deny\">Deny</button></form>");
  }

  private static String first(Map<String, java.util.List<String>> form, String name) {
    java.util.List<String> values = form.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static String html(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static void sendHtml(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = ("<!doctype html><title>Keyward demo provider</title>" + body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private String mint(String scope) throws JOSEException {
    Instant now = clock.instant();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID()).build(),
        new JWTClaimsSet.Builder().issuer(baseUrl()).subject(CLIENT_ID).audience("keyward-demo")
            .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(tokenLifetime)))
            .jwtID(UUID.randomUUID().toString()).claim("scope", scope).build());
    jwt.sign(new RSASSASigner(signingKey));
    return jwt.serialize();
  }

  private void jwks(HttpExchange exchange) throws IOException {
    send(exchange, 200, new JWKSet(signingKey.toPublicJWK()).toString());
  }

  /** 200 for a valid API key, Basic credential or unexpired bearer token of ours; 401 otherwise. */
  private void echo(HttpExchange exchange) throws IOException {
    String method = authenticatedBy(exchange);
    if (method == null) {
      exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer, Basic realm=\"keyward-demo\"");
      send(exchange, 401, "{\"error\":\"unauthorized\"}");
    } else {
      send(exchange, 200, "{\"ok\":true,\"authenticatedBy\":\"" + method + "\"}");
    }
  }

  private String authenticatedBy(HttpExchange exchange) {
    String query = exchange.getRequestURI().getRawQuery();
    if (API_KEY.equals(exchange.getRequestHeaders().getFirst("X-API-Key"))
        || (query != null && query.contains("api_key=" + API_KEY))) {
      return "apiKey";
    }
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null) {
      return null;
    }
    String basic = Base64.getEncoder().encodeToString((BASIC_USER + ":" + BASIC_PASSWORD).getBytes(StandardCharsets.UTF_8));
    if (authorization.equals("Basic " + basic)) {
      return "basic";
    }
    if (!authorization.startsWith("Bearer ")) {
      return null;
    }
    String token = authorization.substring(7).strip();
    return validBearer(token) ? "bearer" : validClientJwt(token) ? "jwt" : null;
  }

  private boolean validBearer(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      Date exp = jwt.getJWTClaimsSet().getExpirationTime();
      return jwt.verify(new RSASSAVerifier(signingKey.toPublicJWK()))
          && exp != null && clock.instant().isBefore(exp.toInstant()) && !revokedAccessTokens.contains(token);
    } catch (java.text.ParseException | JOSEException e) {
      return false;
    }
  }

  private boolean validClientJwt(String token) {
    ConfigurableJWTProcessor<SecurityContext> processor = clientJwts;
    if (processor == null) {
      return false;
    }
    try {
      processor.process(token, null);
      return true;
    } catch (java.text.ParseException | BadJOSEException | JOSEException e) {
      return false;
    }
  }

  private static HTTPRequest toNimbus(HttpExchange exchange) throws IOException {
    HTTPRequest request = new HTTPRequest(HTTPRequest.Method.valueOf(exchange.getRequestMethod()),
        URI.create("http://127.0.0.1" + exchange.getRequestURI()));
    for (Map.Entry<String, java.util.List<String>> h : exchange.getRequestHeaders().entrySet()) {
      request.setHeader(h.getKey(), h.getValue().toArray(String[]::new));
    }
    request.setBody(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    return request;
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
