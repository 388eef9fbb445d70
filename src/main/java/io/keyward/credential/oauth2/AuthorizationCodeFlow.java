package io.keyward.credential.oauth2;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationErrorResponse;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.AuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.http.Endpoints;
import java.net.URI;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The authorization code flow of a native app (RFC 8252) that obtains a connector's first refresh
 * token: the authorization request (a fresh {@code state}, PKCE S256), then the redirect to the
 * loopback listener read back (the {@code state} checked, a denial named). The code exchange is
 * {@link OAuth2Issuer#exchangeCode}. No Kubernetes types, no I/O here.
 */
public final class AuthorizationCodeFlow {
  private static final Pattern SAFE_ERROR = Pattern.compile("^[a-z_]{1,64}$");

  private AuthorizationCodeFlow() {}

  /** A started flow: the URL to open, and what its answer is checked against. Never prints the verifier. */
  public record Started(URI url, URI redirectUri, State state, CodeVerifier verifier) {
    @Override
    public String toString() {
      return "Started[" + url + "]";
    }
  }

  /** The seed refresh token the code became, and when the access token issued with it expires. */
  public record Authorized(String refreshToken, Instant accessTokenExpiresAt) {
    @Override
    public String toString() {
      return "Authorized[accessTokenExpiresAt=" + accessTokenExpiresAt + "]";
    }
  }

  /** The authorization request for {@code clientId}, answered at {@code redirectUri}. */
  public static Started start(OAuth2Auth auth, String clientId, URI redirectUri) throws CredentialException {
    if (auth.authorizationUrl == null || auth.authorizationUrl.isBlank()) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.authorizationUrl", "is not set: name the"
          + " provider's authorization endpoint there (a provider profile may supply it)");
    }
    URI endpoint = Endpoints.url(auth.authorizationUrl, "spec.auth.oauth2.authorizationUrl");
    State state = new State();
    CodeVerifier verifier = new CodeVerifier();
    AuthorizationRequest.Builder request = new AuthorizationRequest.Builder(ResponseType.CODE, new ClientID(clientId))
        .endpointURI(endpoint)
        .redirectionURI(redirectUri)
        .state(state)
        .codeChallenge(verifier, CodeChallengeMethod.S256);
    String scope = OAuth2Issuer.scopeParameter(auth);
    if (scope != null) {
      request.customParameter("scope", scope);
    }
    return new Started(request.build().toURI(), redirectUri, state, verifier);
  }

  /**
   * The values of {@code names} among the redirect's parameters ({@code authorizationResponseFields},
   * e.g. QuickBooks' realmId): each must be there, printable and at most 256 characters; none are
   * secrets, and the messages name fields, not values.
   */
  public static java.util.Map<String, String> responseFields(URI redirect, java.util.List<String> names)
      throws CredentialException {
    java.util.Map<String, String> found = new java.util.LinkedHashMap<>();
    if (names == null || names.isEmpty()) {
      return found;
    }
    var params = com.nimbusds.oauth2.sdk.util.URLUtils.parseParameters(redirect.getRawQuery());
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      String field = "spec.auth.oauth2.authorizationResponseFields[" + i + "]";
      io.keyward.credential.HttpFields.requireSpec(io.keyward.credential.HttpFields.Rule.SECRET_KEY, name, field,
          "Secret key");
      java.util.List<String> values = params.get(name);
      String value = values == null || values.isEmpty() ? null : values.get(0);
      if (value == null || value.isBlank()) {
        throw CredentialException.terminal("AuthorizationFailed", field + ": the provider's redirect carried no "
            + name + "; nothing was written");
      }
      if (value.length() > 256 || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw CredentialException.terminal("AuthorizationFailed", field + ": the provider's redirect carried a "
            + name + " that is not printable ASCII of at most 256 characters; nothing was written");
      }
      found.put(name, value);
    }
    return found;
  }

  /**
   * The code of the redirect the browser brought back; fails with {@code StateMismatch} when it
   * answers another request, {@code ConsentDenied} when the person said no, {@code AuthorizationFailed}
   * for another error the provider named.
   */
  public static AuthorizationCode code(URI redirect, Started started) throws CredentialException {
    AuthorizationResponse response;
    try {
      response = AuthorizationResponse.parse(redirect);
    } catch (ParseException e) {
      throw CredentialException.terminal("AuthorizationFailed", "the redirect carried neither a code nor an error");
    }
    if (response.getState() == null || !started.state().equals(response.getState())) {
      throw CredentialException.terminal("StateMismatch", "the redirect's state does not match the request's:"
          + " it answers another authorization request (or was forged); nothing was written");
    }
    if (response instanceof AuthorizationErrorResponse error) {
      String code = error.getErrorObject() == null ? null : error.getErrorObject().getCode();
      String shown = code != null && SAFE_ERROR.matcher(code).matches() ? code : "unspecified error";
      if ("access_denied".equals(code)) {
        throw CredentialException.terminal("ConsentDenied", "consent was denied at the provider (access_denied)");
      }
      throw CredentialException.terminal("AuthorizationFailed", "the provider refused the authorization request: "
          + shown);
    }
    return ((AuthorizationSuccessResponse) response).getAuthorizationCode();
  }
}
