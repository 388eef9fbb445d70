package io.keyward.credential;

import io.keyward.api.v1alpha1.auth.AuthMethod;
import io.keyward.credential.apikey.ApiKeyIssuer;
import io.keyward.credential.basic.BasicIssuer;
import io.keyward.credential.jwt.JwtIssuer;
import io.keyward.credential.keys.JwsSigners;
import io.keyward.credential.oauth2.OAuth2Issuer;
import io.keyward.credential.validation.TokenValidator;
import io.keyward.credential.http.HttpSender;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The issuers Keyward knows, looked up by the auth block that is set. */
public final class CredentialIssuers {
  private final Map<Class<?>, CredentialIssuer<?>> byAuthClass;
  private final TokenValidator validator;
  private final HttpSender http;

  public CredentialIssuers(List<CredentialIssuer<?>> issuers) {
    this(issuers, null);
  }

  private CredentialIssuers(List<CredentialIssuer<?>> issuers, TokenValidator validator, HttpSender http) {
    this.validator = validator;
    this.http = http;
    this.byAuthClass =
        issuers.stream().collect(Collectors.toUnmodifiableMap(CredentialIssuer::authClass, Function.identity()));
  }

  /** @param validator checks issued tokens where a spec asks for it; {@code null}: such specs are refused */
  public CredentialIssuers(List<CredentialIssuer<?>> issuers, TokenValidator validator) {
    this(issuers, validator, null);
  }

  /** Every built-in issuer; the ones that call providers use {@code http}; {@link JwsSigners#auto()} signs. */
  public static CredentialIssuers standard(HttpSender http) {
    return standard(http, JwsSigners.auto());
  }

  /** Every built-in issuer; the ones that call providers use {@code http}, the ones that sign JWTs {@code signers}. */
  public static CredentialIssuers standard(HttpSender http, JwsSigners signers) {
    return new CredentialIssuers(
        List.of(new OAuth2Issuer(http, signers), new ApiKeyIssuer(), new BasicIssuer(), new JwtIssuer(http, signers)),
        new TokenValidator(http), http);
  }

  /** The sender the built-in issuers call providers with, if these are they (for its metrics). */
  public java.util.Optional<HttpSender> http() {
    return java.util.Optional.ofNullable(http);
  }

  /** Checks an issued token against {@code rules} (spec.validation) before it may be published. */
  public void validate(TokenValidator.Rules rules, IssuedCredential credential, java.time.Instant now)
      throws CredentialException {
    if (validator == null) {
      throw CredentialException.invalidConfiguration("spec.validation", "is not supported here");
    }
    validator.check(rules, credential, now);
  }

  /** Whether an issuer is registered for this kind of auth block. */
  public boolean handles(Class<? extends AuthMethod> authClass) {
    return byAuthClass.containsKey(authClass);
  }

  /**
   * What {@code next} marks beyond a routine refresh: what its issuer says (a re-authorisation), or a
   * generated signing key that took over from another ({@code KeyRotated}).
   */
  @SuppressWarnings("unchecked")
  public <A extends AuthMethod> java.util.Optional<Notice> milestone(A auth, IssuedCredential previous,
      IssuedCredential next) {
    CredentialIssuer<A> issuer = (CredentialIssuer<A>) byAuthClass.get(auth.getClass());
    java.util.Optional<Notice> own = issuer == null ? java.util.Optional.empty() : issuer.milestone(auth, previous, next);
    if (own.isPresent() || previous.publication() == null || next.publication() == null
        || previous.publication().currentKeyId().equals(next.publication().currentKeyId())) {
      return own;
    }
    return java.util.Optional.of(new Notice("KeyRotated", "signing key " + next.publication().currentKeyId()
        + " took over from " + previous.publication().currentKeyId()));
  }

  /** Whether {@code state} waits for a person at the provider; see {@link CredentialIssuer#awaitingPerson}. */
  @SuppressWarnings("unchecked")
  public <A extends AuthMethod> boolean awaitingPerson(A auth, java.util.Map<String, String> state,
      java.time.Instant now) {
    CredentialIssuer<A> issuer = (CredentialIssuer<A>) byAuthClass.get(auth.getClass());
    return issuer != null && issuer.awaitingPerson(auth, state, now);
  }

  /** See {@link CredentialIssuer#recheckEvery}. */
  @SuppressWarnings("unchecked")
  public <A extends AuthMethod> java.util.Optional<java.time.Duration> recheckEvery(A auth) throws CredentialException {
    CredentialIssuer<A> issuer = (CredentialIssuer<A>) byAuthClass.get(auth.getClass());
    return issuer == null ? java.util.Optional.empty() : issuer.recheckEvery(auth);
  }

  /** See {@link CredentialIssuer#stillActive}. */
  @SuppressWarnings("unchecked")
  public <A extends AuthMethod> boolean stillActive(A auth, IssueContext context, IssuedCredential credential)
      throws CredentialException {
    CredentialIssuer<A> issuer = (CredentialIssuer<A>) byAuthClass.get(auth.getClass());
    return issuer == null || issuer.stillActive(auth, context, credential);
  }

  /** Issues with the issuer registered for the block's class. */
  @SuppressWarnings("unchecked")
  public <A extends AuthMethod> IssuedCredential issue(A auth, IssueContext context) throws CredentialException {
    CredentialIssuer<A> issuer = (CredentialIssuer<A>) byAuthClass.get(auth.getClass());
    if (issuer == null) {
      throw CredentialException.invalidConfiguration("spec.auth." + auth.type(), "this auth type is not supported");
    }
    try {
      return issuer.issue(auth, context);
    } catch (IssuedCredential.UnsafeValueException e) {
      // the issuers check their inputs; this is the guard for one that did not (DESIGN §9)
      throw CredentialException.transientFailure("UnsafeCredential", e.getMessage() + "; it is not published", null);
    }
  }

  /** Revokes a token with the OAuth 2.0 issuer (RFC 7009); see {@link io.keyward.credential.oauth2.OAuth2Issuer#revoke}. */
  public void revoke(io.keyward.api.v1alpha1.auth.OAuth2Auth auth, IssueContext context, String token, boolean refreshToken)
      throws CredentialException {
    if (!(byAuthClass.get(io.keyward.api.v1alpha1.auth.OAuth2Auth.class)
        instanceof io.keyward.credential.oauth2.OAuth2Issuer oauth2)) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2", "this auth type is not supported");
    }
    oauth2.revoke(auth, context, token, refreshToken);
  }
}
