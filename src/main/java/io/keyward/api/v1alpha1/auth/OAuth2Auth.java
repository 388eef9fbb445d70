package io.keyward.api.v1alpha1.auth;

import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.keyward.api.v1alpha1.SchemaMerge;
import io.keyward.api.v1alpha1.SchemaPatterns;
import io.fabric8.generator.annotation.Size;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.keyward.api.v1alpha1.SecretKeyRef;
import java.util.List;
import java.util.Map;

/** OAuth 2.0 token requests against a provider's token endpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.clientId) && has(self.clientIdRef))",
    message = "exactly one of clientId and clientIdRef must be set (optional only for grant jwtBearer)")
@ValidationRule(
    value = "!has(self.grant) || self.grant != 'refreshToken' || has(self.refreshTokenRef)",
    message = "grant refreshToken needs refreshTokenRef (the seed refresh token)")
@ValidationRule(
    value = "!has(self.grant) || self.grant != 'jwtBearer' || has(self.assertion)",
    message = "grant jwtBearer needs assertion")
@ValidationRule(
    value = "!has(self.grant) || self.grant != 'accountCredentials'"
        + " || (has(self.extraParams) && 'account_id' in self.extraParams)",
    message = "grant accountCredentials needs extraParams.account_id")
@ValidationRule(
    value = "!has(self.clientAuthentication) || self.clientAuthentication != 'tlsClientAuth'"
        + " || (has(self.clientCertificateRef) && has(self.clientKeyRef))",
    message = "clientAuthentication tlsClientAuth needs clientCertificateRef and clientKeyRef")
@ValidationRule(
    value = "!has(self.authorizationResponseFields) || self.authorizationResponseFields.all(f,"
        + " !(f in ['access_token', 'refresh_token', 'id_token', 'client_secret'])"
        + " && (!has(self.refreshTokenRef) || f != self.refreshTokenRef.key))",
    message = "authorizationResponseFields may not name a token, a client secret or the refresh token's own key")
@ValidationRule(
    value = "!has(self.clientAuthentication) || self.clientAuthentication != 'privateKeyJwt'"
        + " || has(self.clientAssertion)",
    message = "clientAuthentication privateKeyJwt needs clientAssertion")
@SchemaCustomizer(value = SchemaMerge.class, input = "{\"properties\":{"
    + "\"scopes\":{\"items\":{\"type\":\"string\",\"maxLength\":" + SchemaPatterns.SHORT_LENGTH
    + ",\"pattern\":\"" + SchemaPatterns.SCOPE_JSON + "\"}},"
    + "\"outputFields\":{\"items\":{\"type\":\"string\",\"maxLength\":" + SchemaPatterns.NAME_LENGTH
    + ",\"pattern\":\"" + SchemaPatterns.SECRET_KEY + "\"}},"
    + "\"authorizationResponseFields\":{\"items\":{\"type\":\"string\",\"maxLength\":" + SchemaPatterns.SHORT_LENGTH
    + ",\"pattern\":\"" + SchemaPatterns.SECRET_KEY + "\"}},"
    + "\"extraParams\":{\"additionalProperties\":{\"type\":\"string\",\"maxLength\":" + SchemaPatterns.VALUE_LENGTH
    + "}}}}")
public class OAuth2Auth implements AuthMethod {
  /** The grant types Keyward can drive. */
  public enum Grant {
    clientCredentials,
    refreshToken,
    jwtBearer,
    /** Zoom's server-to-server grant: {@code grant_type=account_credentials}, otherwise as client credentials. */
    accountCredentials,
    /**
     * The device authorization grant (RFC 8628) run by the operator: a person approves once at the
     * provider with a user code shown in status and an Event; then refresh tokens, as refreshToken.
     */
    deviceCode
  }

  /** The unit of {@code expires_in} in the provider's responses. */
  public enum ExpiresInUnit {
    seconds,
    milliseconds
  }

  /** How the client authenticates at the token endpoint. */
  public enum ClientAuthentication {
    clientSecretBasic,
    clientSecretPost,
    privateKeyJwt,
    tlsClientAuth,
    none
  }

  @JsonPropertyDescription("The OAuth 2.0 grant: clientCredentials (default), refreshToken, jwtBearer,"
      + " accountCredentials (Zoom server-to-server: grant_type=account_credentials, account_id in extraParams), or"
      + " deviceCode (RFC 8628: the operator starts a device authorization at deviceAuthorizationUrl, shows the"
      + " verification URI and user code in status and an Event, and once a person has approved keeps the refresh"
      + " token in its state Secret; an expired or denied code is started again by the refresh annotation).")
  public Grant grant;

  @Pattern(SchemaPatterns.HTTP_URL)
  @Size(max = SchemaPatterns.URL_LENGTH)
  @JsonPropertyDescription("The provider's token endpoint (absolute http or https URL). Required unless spec.provider"
      + " names a profile that supplies it, or issuerUrl names an issuer whose metadata does.")
  public String tokenUrl;

  @Pattern(SchemaPatterns.HTTP_URL)
  @Size(max = SchemaPatterns.URL_LENGTH)
  @JsonPropertyDescription("The provider's issuer identifier (e.g. https://login.example.com/realms/acme): the"
      + " endpoints this block leaves out (tokenUrl, authorizationUrl, deviceAuthorizationUrl, revocationUrl) are"
      + " read from its metadata document, <issuerUrl>/.well-known/openid-configuration or else RFC 8414's"
      + " /.well-known/oauth-authorization-server, which must name this issuer; read again after an hour.")
  public String issuerUrl;

  @Pattern(SchemaPatterns.HTTP_URL)
  @Size(max = SchemaPatterns.URL_LENGTH)
  @JsonPropertyDescription("The provider's authorization endpoint, where a user grants access and the first refresh"
      + " token comes from (a provider profile names it). Not used to issue or refresh tokens.")
  public String authorizationUrl;

  @Pattern(SchemaPatterns.HTTP_URL)
  @Size(max = SchemaPatterns.URL_LENGTH)
  @JsonPropertyDescription("The provider's device authorization endpoint (RFC 8628), for grant deviceCode and"
      + " keyward authorize --device (a provider profile may name it).")
  public String deviceAuthorizationUrl;

  @Pattern(SchemaPatterns.HTTP_URL)
  @Size(max = SchemaPatterns.URL_LENGTH)
  @JsonPropertyDescription("The provider's token revocation endpoint (RFC 7009), used by deletionPolicy Revoke. Not"
      + " used to issue or refresh tokens.")
  public String revocationUrl;

  @Size(max = SchemaPatterns.TEXT_LENGTH)
  @JsonPropertyDescription("The client ID (or use clientIdRef).")
  public String clientId;

  @JsonPropertyDescription("A Secret key holding the client ID.")
  public SecretKeyRef clientIdRef;

  @JsonPropertyDescription("A Secret key holding the client secret (clientSecretBasic, clientSecretPost).")
  public SecretKeyRef clientSecretRef;

  @JsonPropertyDescription("clientSecretBasic (default), clientSecretPost, privateKeyJwt (RFC 7523 client"
      + " assertion signed with clientAssertion.keyRef) or none (public client).")
  public ClientAuthentication clientAuthentication;

  @JsonPropertyDescription("privateKeyJwt: the key and claims of the client assertion (iss and sub default to the"
      + " client ID, aud to the token endpoint).")
  public JwtAssertion clientAssertion;

  @JsonPropertyDescription("grant jwtBearer: the signed assertion exchanged for an access token (RFC 7523).")
  public JwtAssertion assertion;

  @JsonPropertyDescription("tlsClientAuth: a Secret key holding the client certificate (PEM, chain allowed),"
      + " e.g. tls.crt of a kubernetes.io/tls Secret.")
  public SecretKeyRef clientCertificateRef;

  @JsonPropertyDescription("tlsClientAuth: a Secret key holding the client certificate's private key (PEM).")
  public SecretKeyRef clientKeyRef;

  @JsonPropertyDescription("A Secret or ConfigMap-like Secret key holding PEM CA certificates to trust for the"
      + " token endpoint instead of the system trust store (private endpoints).")
  public SecretKeyRef caBundleRef;

  @Size(max = 64)
  @JsonPropertyDescription("Scopes to request.")
  public List<String> scopes;

  @Pattern("^[ ,;]$")
  @JsonPropertyDescription("What separates the scopes in the token and authorization requests' scope parameter: a"
      + " space (default, RFC 6749) or, for providers that want it, ',' or ';'. An assertion's scope claim always"
      + " uses spaces.")
  public String scopeSeparator;

  @Size(max = SchemaPatterns.TEXT_LENGTH)
  @JsonPropertyDescription("The audience parameter some providers require.")
  public String audience;

  @Size(max = 32)
  @JsonPropertyDescription("Further form parameters sent with the token request (e.g. resource).")
  public Map<String, String> extraParams;

  @JsonPropertyDescription("grant refreshToken: a Secret key holding the seed refresh token. Keyward keeps the"
      + " rotated tokens in its state Secret; changing this Secret (after re-authorising) replaces them.")
  public SecretKeyRef refreshTokenRef;

  @JsonPropertyDescription("Unit of expires_in in the provider's responses: seconds (default) or milliseconds.")
  public ExpiresInUnit expiresInUnit;

  @Size(max = SchemaPatterns.SHORT_LENGTH)
  @JsonPropertyDescription("A response field holding an absolute expiry (RFC 3339 or epoch seconds), for providers"
      + " that send one instead of expires_in.")
  public String expiresAtField;

  @JsonPropertyDescription("Token introspection (RFC 7662) for opaque access tokens: each new token is introspected"
      + " with the client's authentication; its exp is the expiry (where the token response gave none, or a sooner"
      + " one), and an answer of active: false is TokenInactive (not published; retried).")
  public Introspection introspection;

  /** Where and how tokens are introspected. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Introspection {
    @io.fabric8.generator.annotation.Required
    @Pattern(SchemaPatterns.HTTP_URL)
    @Size(max = SchemaPatterns.URL_LENGTH)
    @JsonPropertyDescription("The provider's introspection endpoint (absolute http or https URL).")
    public String url;

    @io.fabric8.generator.annotation.Pattern(io.keyward.api.v1alpha1.GoDuration.PATTERN)
    @Size(max = SchemaPatterns.DURATION_LENGTH)
    @JsonPropertyDescription("How often the published access token is introspected again (e.g. 5m, at least 10s):"
        + " an answer of active: false (revoked at the provider) is a TokenInactive warning and a refresh at once."
        + " Default: only when a token is issued.")
    public String interval;
  }

  @Pattern(SchemaPatterns.TOKEN)
  @Size(max = SchemaPatterns.SHORT_LENGTH)
  @JsonPropertyDescription("The header the access token is sent in (an RFC 7230 token). Default Authorization,"
      + " with the token type as its scheme (Bearer <token>); another header (e.g. X-Shopify-Access-Token) carries"
      + " prefix + token.")
  public String header;

  @Pattern(SchemaPatterns.PRINTABLE)
  @Size(max = SchemaPatterns.SHORT_LENGTH)
  @JsonPropertyDescription("Printable ASCII text put before the token in the header value. Default: the token type"
      + " and a space in Authorization, nothing in another header.")
  public String prefix;

  @Size(max = 32)
  @JsonPropertyDescription("Response fields copied into the output Secret under their own names"
      + " (e.g. instance_url). Tokens and secrets cannot be copied.")
  public List<String> outputFields;

  @JsonPropertyDescription("deletionPolicy Revoke: whether the refresh token that a new seed replaced is revoked"
      + " too, once the new one is in use (default true). Providers whose revocation ends the whole grant rather than"
      + " one token (Intuit, Xero: their profiles set false) would end the new grant with it.")
  public Boolean revokeReplacedSeed;

  @Size(max = 8)
  @JsonPropertyDescription("grant refreshToken: parameters of the authorization response (the redirect keyward"
      + " authorize receives) that the provider sends only then, kept in the seed Secret next to the refresh token"
      + " under their own names and copied from there into the output Secret, e.g. QuickBooks' realmId.")
  public List<String> authorizationResponseFields;

  @Override
  public String type() {
    return "oauth2";
  }

  /** Whether {@code field} (a key of {@link #secretRefsByField}) names what the seed Secret holds, which authorize writes. */
  public static boolean isSeedField(String field) {
    return field.endsWith(".refreshTokenRef") || field.contains(".authorizationResponseFields[");
  }

  /** The authorization response's fields: a seed written by hand, or before they were named, may lack them. */
  @Override
  public boolean isOptional(String field) {
    return field.contains(".authorizationResponseFields[");
  }

  @Override
  public Map<String, SecretKeyRef> secretRefsByField() {
    Map<String, SecretKeyRef> refs = new java.util.LinkedHashMap<>(ownSecretRefs());
    if (refreshTokenRef != null && authorizationResponseFields != null) {
      for (int i = 0; i < authorizationResponseFields.size(); i++) {
        refs.put("spec.auth.oauth2.authorizationResponseFields[" + i + "]",
            new SecretKeyRef(refreshTokenRef.name, authorizationResponseFields.get(i)));
      }
    }
    return refs;
  }

  private Map<String, SecretKeyRef> ownSecretRefs() {
    return AuthMethod.byField(type(), "clientIdRef", clientIdRef, "clientSecretRef", clientSecretRef,
        "refreshTokenRef", refreshTokenRef, "clientAssertion.keyRef", clientAssertion == null ? null : clientAssertion.keyRef,
        "clientAssertion.certificateRef", clientAssertion == null ? null : clientAssertion.certificateRef,
        "assertion.keyRef", assertion == null ? null : assertion.keyRef,
        "assertion.certificateRef", assertion == null ? null : assertion.certificateRef,
        "clientCertificateRef", clientCertificateRef,
        "clientKeyRef", clientKeyRef, "caBundleRef", caBundleRef);
  }

  public Grant grantOrDefault() {
    return grant == null ? Grant.clientCredentials : grant;
  }

  public ClientAuthentication clientAuthenticationOrDefault() {
    return clientAuthentication == null ? ClientAuthentication.clientSecretBasic : clientAuthentication;
  }
}
