package io.keyward.credential.oauth2;

import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.JWTBearerGrant;
import com.nimbusds.oauth2.sdk.auth.PKITLSClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import javax.net.ssl.SSLSocketFactory;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuer;
import io.keyward.credential.HttpFields;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.Notice;
import io.keyward.credential.http.Endpoints;
import io.keyward.credential.http.HttpSender;
import io.keyward.credential.http.TlsMaterial;
import io.keyward.credential.keys.JwsSigners;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * OAuth 2.0 token requests through the Nimbus SDK. Grants: client credentials, refresh token
 * (rotating refresh tokens are carried in the credential's state), JWT bearer (RFC 7523). Client
 * authentication: {@code client_secret_basic}, {@code client_secret_post}, {@code private_key_jwt},
 * {@code tls_client_auth} (mutual TLS), {@code none}; a CA bundle for private endpoints.
 */
public final class OAuth2Issuer implements CredentialIssuer<OAuth2Auth> {
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
  private final HttpSender http;
  private final JwsSigners signers;
  private final ProviderMetadata metadata;

  /** Token requests through {@code http}; assertions signed with {@link JwsSigners#auto()}. */
  public OAuth2Issuer(HttpSender http) {
    this(http, JwsSigners.auto());
  }

  /** @param signers what signs client assertions and JWT bearer grants */
  public OAuth2Issuer(HttpSender http, JwsSigners signers) {
    this.http = http;
    this.signers = signers;
    this.metadata = new ProviderMetadata(http);
  }

  /**
   * {@code auth} with the endpoints it leaves out read from the metadata of its {@code issuerUrl}
   * (cached; see {@link ProviderMetadata}); {@code auth} itself without one.
   */
  public OAuth2Auth discovered(OAuth2Auth auth, IssueContext context) throws CredentialException {
    return discovered(auth, context, a -> false);
  }

  /** The same, asking the metadata only when {@code auth} lacks what {@code enough} needs. */
  private OAuth2Auth discovered(OAuth2Auth auth, IssueContext context, java.util.function.Predicate<OAuth2Auth> enough)
      throws CredentialException {
    return metadata.resolve(auth, context, enough, auth.issuerUrl == null ? null : tlsMaterial(auth, context));
  }

  @Override
  public Class<OAuth2Auth> authClass() {
    return OAuth2Auth.class;
  }

  @Override
  public IssuedCredential issue(OAuth2Auth given, IssueContext context) throws CredentialException {
    OAuth2Auth auth = discovered(given, context, a -> a.tokenUrl != null
        && (a.grantOrDefault() != OAuth2Auth.Grant.deviceCode || a.deviceAuthorizationUrl != null));
    URI tokenUrl = tokenUrl(auth.tokenUrl);
    String clientId = clientId(auth, context);
    if (clientId == null && auth.grantOrDefault() != OAuth2Auth.Grant.jwtBearer) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.clientId", "is required");
    }
    if ((auth.grantOrDefault() == OAuth2Auth.Grant.clientCredentials
        || auth.grantOrDefault() == OAuth2Auth.Grant.accountCredentials)
        && auth.clientAuthenticationOrDefault() == OAuth2Auth.ClientAuthentication.none) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.clientAuthentication",
          "grant " + auth.grantOrDefault() + " needs an authenticated client, not none");
    }
    String header = auth.header == null || auth.header.isBlank() ? null : auth.header;
    if (header != null) {
      HttpFields.requireSpec(HttpFields.Rule.TOKEN, header, "spec.auth.oauth2.header", "HTTP header name");
    }
    if (auth.prefix != null) {
      HttpFields.requireSpec(HttpFields.Rule.PRINTABLE, auth.prefix, "spec.auth.oauth2.prefix", "header value prefix");
    }
    checkResponseFields(auth); // before anything is sent
    RefreshTokens refreshTokens = switch (auth.grantOrDefault()) {
      case refreshToken -> RefreshTokens.current(auth, context);
      case deviceCode -> RefreshTokens.approved(context.previousState(), context.asked());
      default -> null;
    };
    if (auth.grantOrDefault() == OAuth2Auth.Grant.deviceCode && refreshTokens == null) {
      return sentAsAsked(auth, header, deviceAuthorized(auth, context, tokenUrl)).withNotices(notices(tokenUrl));
    }
    ClientAuthentication clientAuth = clientAuthentication(auth, clientId, tokenUrl, context);
    AuthorizationGrant grant = switch (auth.grantOrDefault()) {
      case clientCredentials -> new ClientCredentialsGrant();
      case accountCredentials -> new AccountCredentialsGrant();
      case refreshToken, deviceCode -> new RefreshTokenGrant(new RefreshToken(refreshTokens.current()));
      case jwtBearer -> new JWTBearerGrant(
          Assertions.sign(auth.assertion, "spec.auth.oauth2.assertion", context, clientId, tokenUrl, auth.scopes,
              signers));
    };
    TokenRequest.Builder request = clientAuth != null
        ? new TokenRequest.Builder(tokenUrl, clientAuth, grant)
        : auth.clientAuthenticationOrDefault() == OAuth2Auth.ClientAuthentication.none && clientId != null
            ? new TokenRequest.Builder(tokenUrl, new ClientID(clientId), grant)
            : new TokenRequest.Builder(tokenUrl, grant);
    String scope = scopeParameter(auth);
    if (scope != null) {
      request.customParameter("scope", scope);
    }
    if (auth.audience != null && !auth.audience.isBlank()) {
      request.customParameter("audience", auth.audience);
    }
    if (auth.extraParams != null) {
      auth.extraParams.forEach(request::customParameter);
    }

    Instant requestedAt = context.clock().instant();
    HTTPResponse response = http.call(request.build().toHTTPRequest(), tlsMaterial(auth, context), "token endpoint",
        context.caller());
    TokenResponses.Result result;
    try {
      result = TokenResponses.parse(response, requestedAt, context.defaultLifetime(), quirks(auth));
    } catch (CredentialException e) {
      if (refreshTokens == null) {
        throw e;
      }
      if ("InvalidGrant".equals(e.reason())) {
        throw refreshTokens.rejected();
      }
      // a success status whose answer cannot be used may still have rotated the refresh token: keep it
      String rotated = TokenResponses.refreshTokenOf(response);
      throw rotated == null || rotated.equals(refreshTokens.current()) ? e
          : e.withRotatedState(refreshTokens.after(rotated));
    }
    IssuedCredential introspected = result.credential();
    if (auth.introspection != null) {
      try {
        introspected = introspected(auth, clientId, context, introspected);
      } catch (CredentialException e) {
        // the provider may have rotated the refresh token already: keep it, as for an unusable answer
        throw refreshTokens == null || result.refreshToken() == null ? e
            : e.withRotatedState(refreshTokens.after(result.refreshToken()));
      }
    }
    IssuedCredential issued = fromAuthorizationResponse(auth, context,
        sentAsAsked(auth, header, introspected).withNotices(notices(tokenUrl)));
    return refreshTokens == null ? issued : issued.withState(refreshTokens.after(result.refreshToken()));
  }

  /**
   * grant refreshToken: the authorization response's fields that {@code keyward authorize} kept in the
   * seed Secret ({@code authorizationResponseFields}, e.g. QuickBooks' realmId), added to the output.
   */
  private static IssuedCredential fromAuthorizationResponse(OAuth2Auth auth, IssueContext context,
      IssuedCredential issued) throws CredentialException {
    if (auth.grantOrDefault() != OAuth2Auth.Grant.refreshToken || auth.refreshTokenRef == null
        || auth.authorizationResponseFields == null || auth.authorizationResponseFields.isEmpty()) {
      return issued;
    }
    java.util.Map<String, String> extra = new java.util.LinkedHashMap<>(issued.extraOutput());
    for (String field : auth.authorizationResponseFields) {
      // a seed written by hand, or before the field was named, may lack it: left out
      context.secrets().find(new io.keyward.api.v1alpha1.SecretKeyRef(auth.refreshTokenRef.name, field))
          .ifPresent(value -> extra.putIfAbsent(field, value.strip()));
    }
    return issued.withExtraOutput(extra);
  }

  /**
   * The authorization response's fields are read from the seed Secret into the output Secret: none may
   * name a token, a client secret, or a key that another reference of the block reads from that Secret
   * (the refresh token's own, a client secret kept next to it), which the output must never hold.
   */
  public static void checkResponseFields(OAuth2Auth auth) throws CredentialException {
    if (auth.authorizationResponseFields == null) {
      return;
    }
    java.util.Set<String> forbidden = new java.util.HashSet<>(Set.of("access_token", "refresh_token", "id_token",
        "client_secret"));
    if (auth.refreshTokenRef != null) {
      auth.secretRefsByField().forEach((f, ref) -> {
        if (!f.contains(".authorizationResponseFields[") && auth.refreshTokenRef.name.equals(ref.name)) {
          forbidden.add(ref.key);
        }
      });
    }
    for (int i = 0; i < auth.authorizationResponseFields.size(); i++) {
      String field = auth.authorizationResponseFields.get(i);
      String path = "spec.auth.oauth2.authorizationResponseFields[" + i + "]";
      HttpFields.requireSpec(HttpFields.Rule.SECRET_KEY, field, path, "Secret key");
      if (forbidden.contains(field)) {
        throw CredentialException.invalidConfiguration(path, "'" + field + "' is a credential, or a key another"
            + " reference reads from the seed Secret; it is never copied into the output Secret");
      }
    }
  }

  /**
   * The token in {@code spec.auth.oauth2.header} with its prefix when the spec names them, else
   * {@code Authorization: <token type> <token>}.
   */
  private static IssuedCredential sentAsAsked(OAuth2Auth auth, String header, IssuedCredential issued) {
    if (header == null && auth.prefix == null) {
      return issued;
    }
    String name = header == null ? "Authorization" : header;
    String prefix = auth.prefix != null ? auth.prefix
        : "Authorization".equalsIgnoreCase(name) ? issued.tokenType() + " " : "";
    return issued.sentIn(name, prefix);
  }

  /**
   * The new access token introspected (RFC 7662, Nimbus): {@code exp} becomes its expiry when the
   * token response gave none (or a sooner one); {@code active: false} is {@code TokenInactive}.
   */
  private IssuedCredential introspected(OAuth2Auth auth, String clientId, IssueContext context,
      IssuedCredential issued) throws CredentialException {
    var success = introspect(auth, clientId, context, issued.token());
    if (!success.isActive()) {
      throw CredentialException.transientFailure("TokenInactive", "the introspection endpoint says the new access"
          + " token is not active; it was not published", null);
    }
    java.util.Date exp = success.getExpirationTime();
    if (exp == null) {
      return issued;
    }
    Instant introspectedExpiry = exp.toInstant();
    Instant current = issued.expiresAt();
    boolean fromResponse = current != null && !issued.issuedAt().plus(context.defaultLifetime()).equals(current);
    Instant expiresAt = !fromResponse || introspectedExpiry.isBefore(current) ? introspectedExpiry : current;
    return new IssuedCredential(issued.headerName(), issued.headerValue(), issued.token(), issued.tokenType(),
        issued.issuedAt(), expiresAt, issued.extraOutput(), issued.notices(), issued.state(), issued.publication());
  }

  /** {@code spec.auth.oauth2.introspection.interval}: how often the published token is introspected again. */
  @Override
  public java.util.Optional<Duration> recheckEvery(OAuth2Auth auth) throws CredentialException {
    if (auth.introspection == null || auth.introspection.interval == null || auth.introspection.interval.isBlank()) {
      return java.util.Optional.empty();
    }
    Duration every;
    try {
      every = io.keyward.api.v1alpha1.GoDuration.parse(auth.introspection.interval,
          "spec.auth.oauth2.introspection.interval");
    } catch (IllegalArgumentException e) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.introspection.interval", "is not a duration");
    }
    return java.util.Optional.of(every.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : every);
  }

  /** The published access token introspected again (RFC 7662): whether the provider still says {@code active}. */
  @Override
  public boolean stillActive(OAuth2Auth given, IssueContext context, IssuedCredential credential)
      throws CredentialException {
    OAuth2Auth auth = given;
    if (auth.introspection == null || credential.token() == null || credential.token().isEmpty()) {
      return true;
    }
    return introspect(auth, clientId(auth, context), context, credential.token()).isActive();
  }

  /** Introspects {@code accessToken} at spec.auth.oauth2.introspection.url, the client authenticated as for its token requests. */
  private com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse introspect(OAuth2Auth auth, String clientId,
      IssueContext context, String accessToken) throws CredentialException {
    URI url = Endpoints.url(auth.introspection.url, "spec.auth.oauth2.introspection.url");
    ClientAuthentication clientAuth = clientId == null ? null : clientAuthentication(auth, clientId, url, context);
    var token = new com.nimbusds.oauth2.sdk.token.BearerAccessToken(accessToken);
    var request = clientAuth != null ? new com.nimbusds.oauth2.sdk.TokenIntrospectionRequest(url, clientAuth, token)
        : new com.nimbusds.oauth2.sdk.TokenIntrospectionRequest(url, token);
    HTTPResponse response = http.call(request.toHTTPRequest(), tlsMaterial(auth, context), "introspection endpoint",
        context.caller());
    TokenResponses.requireAvailable(response, context.clock().instant(), "introspection endpoint");
    com.nimbusds.oauth2.sdk.TokenIntrospectionResponse answer;
    try {
      answer = com.nimbusds.oauth2.sdk.TokenIntrospectionResponse.parse(response);
    } catch (com.nimbusds.oauth2.sdk.ParseException e) {
      throw CredentialException.transientFailure("InvalidIntrospectionResponse", "introspection endpoint answered"
          + " HTTP " + response.getStatusCode() + " with something that is not an introspection response", null);
    }
    if (!answer.indicatesSuccess()) {
      var error = answer.toErrorResponse().getErrorObject();
      int status = error == null ? response.getStatusCode() : error.getHTTPStatusCode();
      throw CredentialException.terminal(status == 401 || status == 403 ? "InvalidClient" : "IntrospectionRejected",
          "introspection endpoint rejected the request (HTTP " + status + ")");
    }
    return answer.toSuccessResponse();
  }

  /**
   * Grant deviceCode before a person has approved: starts a device authorization (kept in state,
   * announced in an Event) or polls the one started; either way the attempt waits ({@code
   * AwaitingAuthorization}, tried again at the provider's interval) until it is approved, then the
   * access token is the credential and the refresh token is kept. A denied or expired authorization
   * is a terminal failure that starts again only when a person asks ({@link IssueContext#requested}).
   */
  private IssuedCredential deviceAuthorized(OAuth2Auth auth, IssueContext context, URI tokenUrl)
      throws CredentialException {
    Instant now = context.clock().instant();
    java.util.Map<String, String> state = context.previousState();
    java.util.Optional<DeviceAuthorization.Started> live = DeviceAuthorization.live(state, now);
    if (live.isEmpty()) {
      String outcome = state.get(DeviceAuthorization.OUTCOME);
      if (outcome == null && state.containsKey(DeviceAuthorization.DEVICE_CODE)) {
        outcome = "expired"; // it expired between two polls
      }
      String startedFor = state.get(DeviceAuthorization.ASKED);
      if (outcome != null && context.asked().equals(startedFor)) {
        // it ended under what a person last asked for: nothing new is started until they ask again
        throw DeviceAuthorization.endedFailure(outcome).withRotatedState(DeviceAuthorization.ended(outcome, startedFor));
      }
      DeviceAuthorization.Started started = startDeviceAuthorization(auth, context);
      throw awaiting(started, context.asked()).withNotice(new Notice("AuthorizationRequested",
          "To authorize this connector, " + started.instructions()));
    }
    String startedFor = state.getOrDefault(DeviceAuthorization.ASKED, "");
    DeviceAuthorization.Poll poll;
    try {
      poll = pollDeviceAuthorization(auth, context, live.get());
    } catch (CredentialException e) {
      String outcome = switch (e.reason()) {
        case "AuthorizationDenied" -> "denied";
        case "DeviceCodeExpired" -> "expired";
        default -> null;
      };
      if (outcome != null) {
        throw DeviceAuthorization.endedFailure(outcome)
            .withRotatedState(DeviceAuthorization.ended(outcome, startedFor));
      }
      if (!e.isTerminal() && e.retryAfter().map(r -> r.compareTo(live.get().interval()) < 0).orElse(true)) {
        // a retry sooner than the interval would be answered slow_down, for good
        throw CredentialException.transientFailure(e.reason(), e.getMessage(), live.get().interval())
            .classified(e.errorClass());
      }
      throw e;
    }
    if (poll instanceof DeviceAuthorization.Pending pending) {
      throw awaiting(live.get().polledEvery(pending.interval()), startedFor);
    }
    var approved = (DeviceAuthorization.Approved) poll;
    java.util.Map<String, String> kept = RefreshTokens.approvedState(approved.refreshToken(), now);
    IssuedCredential credential = approved.credential();
    if (auth.introspection != null) {
      try {
        credential = introspected(auth, clientId(auth, context), context, credential);
      } catch (CredentialException e) {
        throw e.withRotatedState(kept);
      }
    }
    return credential.withState(kept);
  }

  /** Waiting for a person to approve {@code started}: not a failure; polled again at its interval. */
  private static CredentialException awaiting(DeviceAuthorization.Started started, String asked) {
    return CredentialException.awaiting("AwaitingAuthorization", "a person must approve this connector at the"
        + " provider: " + started.instructions(), started.interval())
        .classified("authorization_pending").withRotatedState(DeviceAuthorization.keep(started, asked));
  }

  /**
   * Starts a device authorization (RFC 8628 §3.1, Nimbus) at {@code spec.auth.oauth2.deviceAuthorizationUrl},
   * the client authenticated as for its token requests (a public client sends its ID). The user code
   * and verification URI are checked before anyone is shown them.
   */
  public DeviceAuthorization.Started startDeviceAuthorization(OAuth2Auth given, IssueContext context)
      throws CredentialException {
    OAuth2Auth auth = discovered(given, context, a -> a.deviceAuthorizationUrl != null);
    if (auth.deviceAuthorizationUrl == null || auth.deviceAuthorizationUrl.isBlank()) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.deviceAuthorizationUrl", "is not set: name the"
          + " provider's device authorization endpoint (RFC 8628) there (a provider profile may supply it)");
    }
    URI url = Endpoints.url(auth.deviceAuthorizationUrl, "spec.auth.oauth2.deviceAuthorizationUrl");
    String clientId = clientId(auth, context);
    if (clientId == null) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.clientId", "is required");
    }
    ClientAuthentication clientAuth = clientAuthentication(auth, clientId, url, context);
    var request = (clientAuth != null ? new com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest.Builder(clientAuth)
        : new com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest.Builder(new ClientID(clientId)))
        .endpointURI(url);
    String scope = scopeParameter(auth);
    if (scope != null) {
      request.customParameter("scope", scope);
    }
    if (auth.audience != null && !auth.audience.isBlank()) {
      request.customParameter("audience", auth.audience);
    }
    Instant requestedAt = context.clock().instant();
    HTTPResponse response = http.call(request.build().toHTTPRequest(), tlsMaterial(auth, context),
        "device authorization endpoint", context.caller());
    TokenResponses.requireAvailable(response, requestedAt, "device authorization endpoint");
    com.nimbusds.oauth2.sdk.device.DeviceAuthorizationResponse answer;
    try {
      answer = com.nimbusds.oauth2.sdk.device.DeviceAuthorizationResponse.parse(response);
    } catch (com.nimbusds.oauth2.sdk.ParseException e) {
      throw CredentialException.transientFailure("InvalidDeviceAuthorizationResponse", "device authorization endpoint"
          + " answered HTTP " + response.getStatusCode() + " with something that is not a device authorization response",
          null);
    }
    if (!answer.indicatesSuccess()) {
      var error = answer.toErrorResponse().getErrorObject();
      String code = error == null ? null : error.getCode();
      int status = response.getStatusCode();
      throw CredentialException.terminal("invalid_client".equals(code) || status == 401 ? "InvalidClient"
          : "DeviceAuthorizationRejected", "device authorization endpoint rejected the request: "
          + TokenResponses.safeCode(code) + " (HTTP " + status + ")");
    }
    var success = answer.toSuccessResponse();
    String userCode = success.getUserCode().getValue();
    HttpFields.requireResponse(HttpFields.Rule.VISIBLE, userCode, "device authorization endpoint", "user_code");
    URI verification = shownUri(success.getVerificationURI(), "verification_uri");
    URI complete = success.getVerificationURIComplete() == null ? null
        : shownUri(success.getVerificationURIComplete(), "verification_uri_complete");
    Duration interval = success.getInterval() > 0 ? Duration.ofSeconds(success.getInterval())
        : DeviceAuthorization.DEFAULT_INTERVAL;
    return new DeviceAuthorization.Started(success.getDeviceCode().getValue(), userCode, verification, complete,
        requestedAt.plusSeconds(success.getLifetime()), interval);
  }

  /** A URI a person is told to open: http or https only, nothing that would run in a browser. */
  private static URI shownUri(URI uri, String field) throws CredentialException {
    if (uri == null || uri.getScheme() == null || !uri.getScheme().matches("(?i)https?") || uri.getHost() == null) {
      throw CredentialException.transientFailure("InvalidDeviceAuthorizationResponse",
          "device authorization endpoint answered a " + field + " that is not an http(s) URL", null);
    }
    HttpFields.requireResponse(HttpFields.Rule.VISIBLE, uri.toString(), "device authorization endpoint", field);
    return uri;
  }

  /**
   * Asks the token endpoint once whether {@code started} was approved (RFC 8628 §3.4): pending (again
   * after the interval, five seconds longer after {@code slow_down}), or approved with its tokens. A
   * denial is {@code AuthorizationDenied}, an expired code {@code DeviceCodeExpired}, an approval
   * without a refresh token {@code NoRefreshToken}; each terminal.
   */
  public DeviceAuthorization.Poll pollDeviceAuthorization(OAuth2Auth given, IssueContext context,
      DeviceAuthorization.Started started) throws CredentialException {
    OAuth2Auth auth = discovered(given, context, a -> a.tokenUrl != null);
    Instant requestedAt = context.clock().instant();
    HTTPResponse response = grantedByPerson(auth, context, new com.nimbusds.oauth2.sdk.device.DeviceCodeGrant(
        new com.nimbusds.oauth2.sdk.device.DeviceCode(started.deviceCode())));
    String error = response.getStatusCode() >= 400 && response.getStatusCode() < 500
        ? TokenResponses.errorCode(response) : null;
    if (error != null) {
      switch (error) {
        case "authorization_pending" -> {
          return new DeviceAuthorization.Pending(started.interval());
        }
        case "slow_down" -> {
          return new DeviceAuthorization.Pending(started.interval().plus(DeviceAuthorization.SLOW_DOWN_STEP));
        }
        case "access_denied" -> throw CredentialException.terminal("AuthorizationDenied",
            "the device authorization was denied at the provider (access_denied)");
        case "expired_token" -> throw CredentialException.terminal("DeviceCodeExpired",
            "nobody approved the device authorization before its code expired (expired_token)");
        default -> { } // another error: classified as any token endpoint's
      }
    }
    TokenResponses.Result result = TokenResponses.parse(response, requestedAt, context.defaultLifetime(), quirks(auth));
    if (result.refreshToken() == null) {
      throw CredentialException.terminal("NoRefreshToken", "the token endpoint answered the device code without a"
          + " refresh token: the provider may need offline access asked for (a scope such as offline_access)");
    }
    return new DeviceAuthorization.Approved(result.credential(), result.refreshToken());
  }

  /** The key of the current refresh token in this issuer's state. */
  public static final String REFRESH_TOKEN_STATE = RefreshTokens.REFRESH_TOKEN;

  /**
   * Revokes {@code token} at {@code spec.auth.oauth2.revocationUrl} (RFC 7009, Nimbus), the client
   * authenticated as for its token requests. An answer of 200 (also for a token the provider no
   * longer knows) is success; 503 or another server error is transient, as is an unreachable endpoint.
   *
   * @param refreshToken whether {@code token} is the refresh token (the {@code token_type_hint})
   */
  public void revoke(OAuth2Auth given, IssueContext context, String token, boolean refreshToken)
      throws CredentialException {
    OAuth2Auth auth = discovered(given, context, a -> a.revocationUrl != null);
    if (auth.revocationUrl == null || auth.revocationUrl.isBlank()) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.revocationUrl", "is required to revoke");
    }
    URI url = Endpoints.url(auth.revocationUrl, "spec.auth.oauth2.revocationUrl");
    String clientId = clientId(auth, context);
    if (clientId == null) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.clientId", "is required to revoke");
    }
    ClientAuthentication clientAuth = clientAuthentication(auth, clientId, url, context);
    com.nimbusds.oauth2.sdk.token.Token revoked = refreshToken ? new RefreshToken(token)
        : new com.nimbusds.oauth2.sdk.token.BearerAccessToken(token);
    var request = clientAuth != null ? new com.nimbusds.oauth2.sdk.TokenRevocationRequest(url, clientAuth, revoked)
        : new com.nimbusds.oauth2.sdk.TokenRevocationRequest(url, new ClientID(clientId), revoked);
    HTTPResponse response = http.call(request.toHTTPRequest(), tlsMaterial(auth, context), "revocation endpoint",
        context.caller());
    TokenResponses.requireAvailable(response, context.clock().instant(), "revocation endpoint");
    int status = response.getStatusCode();
    if (status != 200) {
      throw CredentialException.terminal(status == 401 ? "InvalidClient" : "RevocationRejected",
          "revocation endpoint answered HTTP " + status);
    }
  }

  /** The scope parameter: the scopes joined by {@code scopeSeparator} (a space by default); null without scopes. */
  static String scopeParameter(OAuth2Auth auth) {
    return auth.scopes == null || auth.scopes.isEmpty() ? null
        : String.join(auth.scopeSeparator == null ? " " : auth.scopeSeparator, auth.scopes);
  }

  /** The client ID from the spec or its Secret; {@code null} when neither is set. */
  public static String clientId(OAuth2Auth auth, IssueContext context) throws CredentialException {
    String clientId = auth.clientId != null ? auth.clientId
        : auth.clientIdRef != null ? context.secrets().get(auth.clientIdRef).strip() : null;
    if (clientId != null && clientId.isEmpty()) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.clientId", "the client ID is empty");
    }
    return clientId;
  }

  /**
   * The authorization code grant (RFC 6749 §4.1 with PKCE, RFC 7636) that {@code keyward authorize}
   * ends with: the code exchanged at the token endpoint, the client authenticated as for its
   * refreshes. The answer's refresh token is the seed the connector starts from.
   */
  public AuthorizationCodeFlow.Authorized exchangeCode(OAuth2Auth auth, IssueContext context,
      AuthorizationCodeFlow.Started started, com.nimbusds.oauth2.sdk.AuthorizationCode code)
      throws CredentialException {
    auth = discovered(auth, context, a -> a.tokenUrl != null);
    Instant requestedAt = context.clock().instant();
    HTTPResponse response = grantedByPerson(auth, context,
        new com.nimbusds.oauth2.sdk.AuthorizationCodeGrant(code, started.redirectUri(), started.verifier()));
    TokenResponses.Result result = TokenResponses.parse(response, requestedAt, context.defaultLifetime(), quirks(auth));
    if (result.refreshToken() == null) {
      throw CredentialException.terminal("NoRefreshToken", "the token endpoint answered the authorization code"
          + " without a refresh token: the provider may need offline access asked for (a scope such as"
          + " offline_access, or a parameter of its own)");
    }
    return new AuthorizationCodeFlow.Authorized(result.refreshToken(), result.credential().expiresAt());
  }

  /** Grant deviceCode with a device authorization started and not yet expired: polled even while a credential is valid. */
  @Override
  public boolean awaitingPerson(OAuth2Auth auth, java.util.Map<String, String> state, Instant now) {
    return auth.grantOrDefault() == OAuth2Auth.Grant.deviceCode && DeviceAuthorization.pending(state, now);
  }

  /**
   * The token request that ends a person's consent (an authorization code, an approved device code),
   * the client authenticated as for its refreshes, or by its ID alone as a public client.
   */
  private HTTPResponse grantedByPerson(OAuth2Auth auth, IssueContext context, AuthorizationGrant grant)
      throws CredentialException {
    URI tokenUrl = tokenUrl(auth.tokenUrl);
    String clientId = clientId(auth, context);
    if (clientId == null) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.clientId", "is required");
    }
    ClientAuthentication clientAuth = clientAuthentication(auth, clientId, tokenUrl, context);
    TokenRequest.Builder request = clientAuth != null ? new TokenRequest.Builder(tokenUrl, clientAuth, grant)
        : new TokenRequest.Builder(tokenUrl, new ClientID(clientId), grant);
    if (auth.extraParams != null) {
      auth.extraParams.forEach(request::customParameter);
    }
    return http.call(request.build().toHTTPRequest(), tlsMaterial(auth, context), "token endpoint", context.caller());
  }

  /** A refresh token grant that took a new seed from the user's Secret: a re-authorisation. */
  @Override
  public java.util.Optional<Notice> milestone(OAuth2Auth auth, IssuedCredential previous, IssuedCredential next) {
    if (!RefreshTokens.reauthorised(previous.state(), next.state())) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new Notice("Reauthorized", auth.grantOrDefault() == OAuth2Auth.Grant.deviceCode
        ? "a person approved a new device authorization; its refresh token replaced the stored one"
        : "the new refresh token in " + auth.refreshTokenRef + " replaced the stored one"));
  }

  /**
   * How the client proves who it is; {@code null} for a public client ({@code none}) and for a
   * jwtBearer grant without a client secret (the assertion itself authenticates).
   */
  private ClientAuthentication clientAuthentication(OAuth2Auth auth, String clientId, URI tokenUrl,
      IssueContext context) throws CredentialException {
    OAuth2Auth.ClientAuthentication method = auth.clientAuthenticationOrDefault();
    if (auth.clientSecretRef == null && method != OAuth2Auth.ClientAuthentication.privateKeyJwt
        && method != OAuth2Auth.ClientAuthentication.tlsClientAuth || clientId == null) {
      if (method == OAuth2Auth.ClientAuthentication.none || auth.grantOrDefault() == OAuth2Auth.Grant.jwtBearer) {
        return null;
      }
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.clientSecretRef",
          "is required for clientAuthentication " + method);
    }
    return switch (method) {
      case clientSecretBasic -> new ClientSecretBasic(new ClientID(clientId), new Secret(context.secrets().get(auth.clientSecretRef)));
      case clientSecretPost -> new ClientSecretPost(new ClientID(clientId), new Secret(context.secrets().get(auth.clientSecretRef)));
      case privateKeyJwt -> {
        if (auth.clientAssertion == null) {
          throw CredentialException.invalidConfiguration("spec.auth.oauth2.clientAssertion",
              "is required for clientAuthentication privateKeyJwt");
        }
        yield new PrivateKeyJWT(Assertions.sign(auth.clientAssertion, "spec.auth.oauth2.clientAssertion", context,
            clientId, tokenUrl, null, signers));
      }
      case tlsClientAuth -> new PKITLSClientAuthentication(new ClientID(clientId), (SSLSocketFactory) null);
      case none -> null;
    };
  }

  /** The CA bundle and client certificate for this endpoint, or {@code null} when defaults do. */
  private static TlsMaterial tlsMaterial(OAuth2Auth auth, IssueContext context) throws CredentialException {
    boolean mtls = auth.clientAuthenticationOrDefault() == OAuth2Auth.ClientAuthentication.tlsClientAuth;
    if (mtls && (auth.clientCertificateRef == null || auth.clientKeyRef == null)) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.clientCertificateRef",
          "clientAuthentication tlsClientAuth needs clientCertificateRef and clientKeyRef");
    }
    if (!mtls && auth.caBundleRef == null) {
      return null;
    }
    return new TlsMaterial(auth.caBundleRef == null ? null : context.secrets().get(auth.caBundleRef),
        mtls ? context.secrets().get(auth.clientCertificateRef) : null,
        mtls ? context.secrets().get(auth.clientKeyRef) : null);
  }

  private static TokenResponses.Quirks quirks(OAuth2Auth auth) {
    return new TokenResponses.Quirks(auth.expiresInUnit == OAuth2Auth.ExpiresInUnit.milliseconds,
        auth.expiresAtField, auth.outputFields == null ? List.of() : auth.outputFields);
  }

  static URI tokenUrl(String text) throws CredentialException {
    return Endpoints.url(text, "spec.auth.oauth2.tokenUrl");
  }

  /** What the user should know about where the token endpoint is. */
  static List<Notice> notices(URI tokenUrl) {
    if ("http".equalsIgnoreCase(tokenUrl.getScheme()) && !LOOPBACK.contains(tokenUrl.getHost())) {
      return List.of(new Notice("InsecureTokenUrl",
          "the token endpoint uses plain http: the client secret and tokens cross the network unencrypted"));
    }
    return List.of();
  }
}
