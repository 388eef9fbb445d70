package io.keyward.credential.basic;

import io.keyward.api.v1alpha1.auth.BasicAuth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuer;
import io.keyward.credential.HttpFields;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** HTTP Basic authentication (RFC 7617, UTF-8) from a username and a password. */
public final class BasicIssuer implements CredentialIssuer<BasicAuth> {
  @Override
  public Class<BasicAuth> authClass() {
    return BasicAuth.class;
  }

  @Override
  public IssuedCredential issue(BasicAuth auth, IssueContext context) throws CredentialException {
    String username = auth.username != null ? auth.username : context.secrets().get(auth.usernameRef).strip();
    if (username.contains(":")) {
      throw CredentialException.invalidConfiguration(
          auth.username != null ? "spec.auth.basic.username" : "spec.auth.basic.usernameRef",
          "a Basic username cannot contain ':'");
    }
    if (username.isEmpty()) {
      throw CredentialException.invalidConfiguration("spec.auth.basic.username", "the username is empty");
    }
    // RFC 7617 §2: neither may contain control characters; base64 keeps them out of the header, not out of the server
    if (auth.username != null) {
      HttpFields.requireSpec(HttpFields.Rule.TEXT, username, "spec.auth.basic.username", "Basic username");
    } else {
      HttpFields.requireSecret(HttpFields.Rule.TEXT, username, auth.usernameRef, "spec.auth.basic.usernameRef",
          "Basic username");
    }
    String password = context.secrets().get(auth.passwordRef);
    String encoded = Base64.getEncoder()
        .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    return IssuedCredential.authorization("Basic", encoded, context.clock().instant(), null);
  }
}
