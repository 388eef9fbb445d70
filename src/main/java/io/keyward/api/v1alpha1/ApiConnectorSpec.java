package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
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
}
