package io.keyward.operator;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exception nobody classified (a bug, or an input no check foresaw) becomes a condition on its
 * own connector, {@code InternalError}, retried with backoff; it never escapes the reconcile, where
 * JOSDK would retry it blindly and leave no status. Its message is never shown or logged: it may
 * quote an input (a header value, a key). The log gets the class and where it was thrown.
 */
final class InternalErrors {
  private static final Logger LOG = LoggerFactory.getLogger(InternalErrors.class);

  private InternalErrors() {}

  static CredentialException classify(RuntimeException e, ApiConnector connector) {
    String where = Arrays.stream(e.getStackTrace()).limit(8).map(StackTraceElement::toString)
        .collect(Collectors.joining("\n\tat "));
    LOG.error("{}/{}: unexpected {} (message withheld: it may quote an input)\n\tat {}",
        connector.getMetadata().getNamespace(), connector.getMetadata().getName(), e.getClass().getName(), where);
    return CredentialException.transientFailure("InternalError", "unexpected " + e.getClass().getSimpleName()
        + " while issuing the credential; retrying with backoff (the operator log has where it was thrown)", null)
        .classified("internal");
  }
}
