package io.keyward.credential;

import io.keyward.api.v1alpha1.auth.AuthMethod;
import io.keyward.credential.apikey.ApiKeyIssuer;
import io.keyward.credential.basic.BasicIssuer;
import io.keyward.credential.jwt.JwtIssuer;
import io.keyward.credential.oauth2.OAuth2Issuer;
import com.nimbusds.oauth2.sdk.http.HTTPRequestSender;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The issuers Keyward knows, looked up by the auth block that is set. */
public final class CredentialIssuers {
  private final Map<Class<?>, CredentialIssuer<?>> byAuthClass;

  public CredentialIssuers(List<CredentialIssuer<?>> issuers) {
    this.byAuthClass =
        issuers.stream().collect(Collectors.toUnmodifiableMap(CredentialIssuer::authClass, Function.identity()));
  }

  /** Every built-in issuer; the ones that call providers use {@code http}. */
  public static CredentialIssuers standard(HTTPRequestSender http) {
    return new CredentialIssuers(
        List.of(new OAuth2Issuer(http), new ApiKeyIssuer(), new BasicIssuer(), new JwtIssuer(http)));
  }

  /** Issues with the issuer registered for the block's class. */
  @SuppressWarnings("unchecked")
  public <A extends AuthMethod> IssuedCredential issue(A auth, IssueContext context) throws CredentialException {
    CredentialIssuer<A> issuer = (CredentialIssuer<A>) byAuthClass.get(auth.getClass());
    if (issuer == null) {
      throw CredentialException.invalidConfiguration("spec.auth." + auth.type(), "this auth type is not supported");
    }
    return issuer.issue(auth, context);
  }
}
