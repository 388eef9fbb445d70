package io.keyward.api.v1alpha1;

import io.fabric8.generator.annotation.Size;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** Where the credential is written. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutputSpec {
  @Pattern(SchemaPatterns.DNS_SUBDOMAIN)
  @Size(max = SchemaPatterns.NAME_LENGTH)
  @JsonPropertyDescription("Name of the output Secret (a DNS-1123 subdomain). Default <metadata.name>-credentials.")
  public String secretName;
}
