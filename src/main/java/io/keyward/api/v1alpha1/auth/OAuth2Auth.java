package io.keyward.api.v1alpha1.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.keyward.api.v1alpha1.SecretKeyRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** OAuth 2.0 token requests against a provider's token endpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.clientId) != has(self.clientIdRef)",
    message = "exactly one of clientId and clientIdRef must be set")
@ValidationRule(
    value = "!has(self.grant) || self.grant != 'refreshToken' || has(self.refreshTokenRef)",
    message = "grant refreshToken needs refreshTokenRef (the seed refresh token)")
public class OAuth2Auth implements AuthMethod {
  /** The grant types Keyward can drive. */
  public enum Grant {
    clientCredentials,
    refreshToken
  }

  /** The unit of {@code expires_in} in the provider's responses. */
  public enum ExpiresInUnit {
    seconds,
    milliseconds
  }

  /** How the client authenticates at the token endpoint. */
  public enum ClientAuthentication {
    clientSecretBasic,
    clientSecretPost
  }

  @JsonPropertyDescription("The OAuth 2.0 grant. Default clientCredentials.")
  public Grant grant;

  @Required
  @Pattern("^https?://.+")
  @JsonPropertyDescription("The provider's token endpoint (absolute http or https URL).")
  public String tokenUrl;

  @JsonPropertyDescription("The client ID (or use clientIdRef).")
  public String clientId;

  @JsonPropertyDescription("A Secret key holding the client ID.")
  public SecretKeyRef clientIdRef;

  @Required
  @JsonPropertyDescription("A Secret key holding the client secret.")
  public SecretKeyRef clientSecretRef;

  @JsonPropertyDescription("clientSecretBasic (default) or clientSecretPost.")
  public ClientAuthentication clientAuthentication;

  @JsonPropertyDescription("Scopes to request.")
  public List<String> scopes;

  @JsonPropertyDescription("The audience parameter some providers require.")
  public String audience;

  @JsonPropertyDescription("Further form parameters sent with the token request (e.g. resource).")
  public Map<String, String> extraParams;

  @JsonPropertyDescription("grant refreshToken: a Secret key holding the seed refresh token. Keyward keeps the"
      + " rotated tokens in its state Secret; changing this Secret (after re-authorising) replaces them.")
  public SecretKeyRef refreshTokenRef;

  @JsonPropertyDescription("Unit of expires_in in the provider's responses: seconds (default) or milliseconds.")
  public ExpiresInUnit expiresInUnit;

  @JsonPropertyDescription("A response field holding an absolute expiry (RFC 3339 or epoch seconds), for providers"
      + " that send one instead of expires_in.")
  public String expiresAtField;

  @JsonPropertyDescription("Response fields copied into the output Secret under their own names"
      + " (e.g. instance_url). Tokens and secrets cannot be copied.")
  public List<String> outputFields;

  @Override
  public String type() {
    return "oauth2";
  }

  @Override
  public List<SecretKeyRef> secretRefs() {
    List<SecretKeyRef> refs = new ArrayList<>();
    Stream.of(clientIdRef, clientSecretRef, refreshTokenRef).filter(r -> r != null).forEach(refs::add);
    return refs;
  }

  public Grant grantOrDefault() {
    return grant == null ? Grant.clientCredentials : grant;
  }

  public ClientAuthentication clientAuthenticationOrDefault() {
    return clientAuthentication == null ? ClientAuthentication.clientSecretBasic : clientAuthentication;
  }
}
