package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/**
 * What the user declares: how to authenticate, when to refresh, where to write the result.
 *
 * <p>With {@link #provider} set, the spec is the connector's part of a merge: the profile supplies
 * the rest, so the rules that a profile can satisfy (a required field, a client secret that its
 * client authentication makes unnecessary) are judged here, where {@code provider} is visible, and
 * skipped for a connector that names a provider. The merged spec, which names none, is judged by
 * the same rules when the operator reads it (one source of truth, DESIGN §10).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.provider) || has(self.auth)", fieldPath = ".auth", reason = "FieldValueRequired",
    message = "required unless spec.provider names a provider profile")
@ValidationRule(value = "has(self.provider) || !has(self.auth) || !has(self.auth.oauth2)"
    + " || has(self.auth.oauth2.tokenUrl) || has(self.auth.oauth2.issuerUrl)", fieldPath = ".auth.oauth2.tokenUrl",
    reason = "FieldValueRequired",
    message = "required unless spec.provider names a provider profile or spec.auth.oauth2.issuerUrl an issuer")
@ValidationRule(value = "has(self.provider) || !has(self.auth) || !has(self.auth.jwt)"
    + " || has(self.auth.jwt.algorithm)", fieldPath = ".auth.jwt.algorithm", reason = "FieldValueRequired",
    message = "required unless spec.provider names a provider profile")
@ValidationRule(value = "has(self.provider) || !has(self.auth) || !has(self.auth.oauth2)"
    + " || has(self.auth.oauth2.clientId) || has(self.auth.oauth2.clientIdRef)"
    + " || (has(self.auth.oauth2.grant) && self.auth.oauth2.grant == 'jwtBearer')", fieldPath = ".auth.oauth2",
    message = "exactly one of clientId and clientIdRef must be set (optional only for grant jwtBearer)")
@ValidationRule(value = "has(self.provider) || !has(self.auth) || !has(self.auth.oauth2)"
    + " || (has(self.auth.oauth2.clientAuthentication)"
    + " && self.auth.oauth2.clientAuthentication in ['privateKeyJwt', 'tlsClientAuth', 'none'])"
    + " || has(self.auth.oauth2.clientSecretRef)"
    + " || (has(self.auth.oauth2.grant) && self.auth.oauth2.grant == 'jwtBearer')", fieldPath = ".auth.oauth2",
    message = "clientSecretRef is required unless clientAuthentication is privateKeyJwt, tlsClientAuth or none")
@ValidationRule(value = "has(self.provider) || !has(self.deletionPolicy) || self.deletionPolicy != 'Revoke'"
    + " || (has(self.auth) && has(self.auth.oauth2)"
    + " && (has(self.auth.oauth2.revocationUrl) || has(self.auth.oauth2.issuerUrl)))",
    fieldPath = ".deletionPolicy",
    message = "Revoke needs spec.auth.oauth2.revocationUrl (the provider's RFC 7009 revocation endpoint) or an"
        + " issuerUrl whose metadata names it")
@ValidationRule(value = "!has(self.parameters) || has(self.provider)", fieldPath = ".parameters",
    message = "parameters are read only with spec.provider")
public class ApiConnectorSpec {
  @Pattern(SchemaPatterns.PROVIDER_NAME)
  @Size(max = 63)
  @JsonPropertyDescription("A provider profile (built in, or an ApiProvider of this name) that supplies the auth"
      + " settings; what this spec sets itself overrides the profile's. See docs/providers.md or `keyward"
      + " providers`.")
  public String provider;

  @Size(max = 32)
  @JsonPropertyDescription("Values for the profile's placeholders, e.g. {subdomain: acme}; which a profile"
      + " requires is listed by `keyward providers`.")
  public Map<String, String> parameters;

  @JsonPropertyDescription("How to obtain the credential: exactly one of oauth2, apiKey, basic, jwt. With"
      + " spec.provider, only what differs from the profile (usually the client's credentials).")
  public AuthSpec auth;

  @JsonPropertyDescription("When to refresh credentials that expire.")
  public RefreshSpec refresh;

  /** What deleting the connector does at the provider. */
  public enum DeletionPolicy {
    Retain,
    Revoke
  }

  @JsonPropertyDescription("What deleting the connector does at the provider: Retain (default) leaves its tokens"
      + " valid; Revoke revokes the refresh and access tokens at spec.auth.oauth2.revocationUrl (RFC 7009) first,"
      + " holding the deletion (a finalizer) for at most the operator's --revocation-timeout; it also revokes the"
      + " refresh token that a new seed replaced, once the new one is in use.")
  public DeletionPolicy deletionPolicy;

  @JsonPropertyDescription("Where the credential is written.")
  public OutputSpec output;

  @JsonPropertyDescription("Check issued tokens (JWTs) against the provider's JWKS, issuer and audience before"
      + " publishing them; a token that fails is not published (condition TokenValidationFailed).")
  public ValidationSpec validation;

  @JsonPropertyDescription("Workloads to restart when the published value changes (for consumers that read it"
      + " once, such as environment variables); consumers that read the mounted files need none.")
  public RolloutSpec rollout;

  @JsonIgnore private SpecProblem problem;
  @JsonIgnore private JsonNode stored;

  /** A spec that could not be read: it carries only what is wrong, and the JSON as stored. */
  static ApiConnectorSpec unreadable(SpecProblem problem, JsonNode stored) {
    ApiConnectorSpec spec = new ApiConnectorSpec();
    spec.problem = problem;
    spec.stored = stored;
    return spec;
  }

  /** Why the stored spec could not be read into this model; empty for a readable spec. */
  @JsonIgnore
  public java.util.Optional<SpecProblem> problem() {
    return java.util.Optional.ofNullable(problem);
  }

  /** The JSON as stored, for an unreadable spec only. */
  @JsonIgnore
  JsonNode stored() {
    return stored;
  }
}
