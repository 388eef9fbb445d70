/**
 * Issuing credentials: one {@link io.keyward.credential.CredentialIssuer} per auth type behind one
 * interface. No Kubernetes types here: issuers take the spec block, resolved Secret values, a
 * {@link java.time.Clock} and an HTTP port, and return an {@link io.keyward.credential.IssuedCredential}.
 */
package io.keyward.credential;
