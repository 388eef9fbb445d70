package io.keyward.credential;

import io.keyward.api.v1alpha1.auth.AuthMethod;

/**
 * Turns one auth block and its resolved inputs into the current credential.
 *
 * <p>A new auth type is one spec class implementing {@link AuthMethod}, one issuer, and one line in
 * {@link CredentialIssuers}; the operator does not change.
 */
public interface CredentialIssuer<A extends AuthMethod> {
  /** The spec block this issuer handles. */
  Class<A> authClass();

  /**
   * Issues a credential now.
   *
   * @throws CredentialException classified as terminal or transient; its message never holds a
   *     secret value or a provider's response body
   */
  IssuedCredential issue(A auth, IssueContext context) throws CredentialException;

  /**
   * What a new credential marks beyond a routine refresh, for a person reading {@code kubectl
   * describe}: a re-authorisation, say. None by default; a routine refresh marks nothing (DESIGN §4).
   * The message never holds a secret value.
   *
   * @param previous the credential it replaces
   */
  default java.util.Optional<Notice> milestone(A auth, IssuedCredential previous, IssuedCredential next) {
    return java.util.Optional.empty();
  }

  /**
   * Whether {@code state} (a credential's issuer state) waits for a person at the provider, and is to be
   * asked again at its own pace even while the credential held is valid: a device authorization nobody
   * has approved yet. None by default.
   */
  default boolean awaitingPerson(A auth, java.util.Map<String, String> state, java.time.Instant now) {
    return false;
  }

  /** How often a published credential is to be asked about at the provider ({@link #stillActive}); none by default. */
  default java.util.Optional<java.time.Duration> recheckEvery(A auth) throws CredentialException {
    return java.util.Optional.empty();
  }

  /**
   * Whether the provider still honours {@code credential} (token introspection); {@code true} by
   * default. A failure to ask is thrown, and says nothing about the credential.
   */
  default boolean stillActive(A auth, IssueContext context, IssuedCredential credential) throws CredentialException {
    return true;
  }
}
