package io.keyward.credential.basic;

import io.keyward.api.v1alpha1.auth.BasicAuth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuer;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** HTTP Basic authentication (RFC 7617, UTF-8) from a username and a password. */
public final class BasicIssuer implements CredentialIssuer<BasicAuth> {
  @Override
  public Class<BasicAuth> authClass() {
    return BasicAuth.class;
  }

  @Override
  public IssuedCredential issue(BasicAuth auth, IssueContext context) throws CredentialException {
    String username = auth.username != null ? auth.username : context.secrets().get(auth.usernameRef);
    if (username.contains(":")) {
      throw CredentialException.invalidConfiguration(
          auth.username != null ? "spec.auth.basic.username" : "spec.auth.basic.usernameRef",
          "a Basic username cannot contain ':'");
    }
    if (username.isEmpty()) {
      throw CredentialException.invalidConfiguration("spec.auth.basic.username", "the username is empty");
    }
    String password = context.secrets().get(auth.passwordRef);
    String encoded = Base64.getEncoder()
        .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    return new IssuedCredential(
        "Authorization", "Basic " + encoded, encoded, "Basic",
        context.clock().instant(), null, Map.of(), List.of());
  }
}
