package io.keyward.api.v1alpha1;

import io.fabric8.generator.annotation.Size;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** When to refresh a credential that expires (cert-manager semantics). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RefreshSpec {
  @Pattern(GoDuration.PATTERN)
  @Size(max = SchemaPatterns.DURATION_LENGTH)
  @JsonPropertyDescription("Refresh at least this long before expiry (Go duration, e.g. 5m). Default 2m.")
  public String renewBefore;

  @Min(1)
  @Max(99)
  @JsonPropertyDescription("Refresh when this share of the lifetime remains, if that is earlier. Default 33.")
  public Integer renewBeforePercentage;

  @Pattern(GoDuration.PATTERN)
  @Size(max = SchemaPatterns.DURATION_LENGTH)
  @JsonPropertyDescription(
      "Lifetime assumed for a token whose response carries neither expires_in nor a JWT exp. Default 1h.")
  public String defaultLifetime;
}
