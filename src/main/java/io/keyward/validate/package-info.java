/**
 * {@code keyward validate}: reads manifest files as {@code kubectl apply -f} does (documents, JSON
 * streams, {@code List} items), judges every {@code ApiConnector} with the admission library
 * ({@link io.keyward.admission.ConnectorValidator}, the same one local mode admits with), adds the
 * warnings a valid connector may still deserve, and reports per document as text or JSON.
 */
package io.keyward.validate;
