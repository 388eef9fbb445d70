package io.keyward.api.v1alpha1.auth;

import io.fabric8.generator.annotation.Pattern;
import io.keyward.api.v1alpha1.SchemaPatterns;
import io.fabric8.generator.annotation.Size;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.keyward.api.v1alpha1.SecretKeyRef;
import java.util.Map;

/** HTTP Basic authentication from a username and a password kept in Secrets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.username) != has(self.usernameRef)",
    message = "exactly one of username and usernameRef must be set")
public class BasicAuth implements AuthMethod {
  @Pattern(SchemaPatterns.BASIC_USERNAME)
  @Size(max = SchemaPatterns.SHORT_LENGTH)
  @JsonPropertyDescription("The username (or use usernameRef); no ':' and no control characters.")
  public String username;

  @JsonPropertyDescription("A Secret key holding the username.")
  public SecretKeyRef usernameRef;

  @Required
  @JsonPropertyDescription("A Secret key holding the password.")
  public SecretKeyRef passwordRef;

  @Override
  public String type() {
    return "basic";
  }

  @Override
  public Map<String, SecretKeyRef> secretRefsByField() {
    return AuthMethod.byField(type(), "usernameRef", usernameRef, "passwordRef", passwordRef);
  }
}
