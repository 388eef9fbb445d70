package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.ValidationRule;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.api.v1alpha1.auth.AuthMethod;
import io.keyward.api.v1alpha1.auth.BasicAuth;
import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import java.util.Objects;
import java.util.stream.Stream;

/** The auth block: exactly one of its members is set (enforced by a CEL rule in the CRD). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "[has(self.oauth2), has(self.apiKey), has(self.basic), has(self.jwt)].filter(x, x).size() == 1",
    message = "exactly one of spec.auth.oauth2, spec.auth.apiKey, spec.auth.basic, spec.auth.jwt must be set")
public class AuthSpec {
  public OAuth2Auth oauth2;
  public ApiKeyAuth apiKey;
  public BasicAuth basic;
  public JwtAuth jwt;

  /** The one auth method that is set; fails with a message naming the fields when not exactly one is. */
  @JsonIgnore
  public AuthMethod active() {
    var set = Stream.of(oauth2, apiKey, basic, jwt).filter(Objects::nonNull).toList();
    if (set.size() != 1) {
      throw new IllegalArgumentException(
          "exactly one of spec.auth.oauth2, spec.auth.apiKey, spec.auth.basic, spec.auth.jwt must be set (found "
              + set.size() + ")");
    }
    return set.get(0);
  }
}
