package io.keyward.api.v1alpha1;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** A key of a Secret in the connector's own namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {
  @Required
  @Pattern(SchemaPatterns.DNS_SUBDOMAIN)
  @Size(max = SchemaPatterns.NAME_LENGTH)
  @JsonPropertyDescription("Name of the Secret.")
  public String name;

  @Required
  @Pattern(SchemaPatterns.SECRET_KEY)
  @Size(max = SchemaPatterns.NAME_LENGTH)
  @JsonPropertyDescription("Key within the Secret's data.")
  public String key;

  @Pattern(SchemaPatterns.DNS_LABEL)
  @Size(max = 63)
  @JsonPropertyDescription(
      "Namespace of the Secret. Only the connector's own namespace is allowed; other values are refused.")
  public String namespace;

  public SecretKeyRef() {}

  public SecretKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretKeyRef other
        && Objects.equals(name, other.name)
        && Objects.equals(key, other.key)
        && Objects.equals(namespace, other.namespace);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, key, namespace);
  }

  @Override
  public String toString() {
    return "Secret " + (namespace == null ? "" : namespace + "/") + name + " key " + key;
  }
}
