package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** What the user declares: how to authenticate, when to refresh, where to write the result. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ApiConnectorSpec {
  @Required
  @JsonPropertyDescription("How to obtain the credential: exactly one of oauth2, apiKey, basic, jwt.")
  public AuthSpec auth;

  @JsonPropertyDescription("When to refresh credentials that expire.")
  public RefreshSpec refresh;

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
