package io.keyward.api.v1alpha1;

import io.fabric8.generator.annotation.Size;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * Checks on a token a provider issued, before it is published: its signature against the
 * provider's JWKS, its issuer, audience and expiry.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ValidationSpec {
  @Required
  @Pattern(SchemaPatterns.HTTP_URL)
  @Size(max = SchemaPatterns.URL_LENGTH)
  @JsonPropertyDescription("The provider's JWKS (jwks_uri). Fetched once and cached; fetched again, at most"
      + " every 30 s, when a token names a kid it does not hold.")
  public String jwksUrl;

  @Size(max = SchemaPatterns.TEXT_LENGTH)
  @JsonPropertyDescription("The iss the token must carry.")
  public String issuer;

  @Size(max = SchemaPatterns.TEXT_LENGTH)
  @JsonPropertyDescription("A value the token's aud must contain.")
  public String audience;
}
