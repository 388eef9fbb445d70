package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** Where the credential is written. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutputSpec {
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("Name of the output Secret. Default <metadata.name>-credentials.")
  public String secretName;
}
