/**
 * Admission as kube-apiserver does it for an {@code ApiConnector}, from the CRD the build generates
 * (DESIGN §10: one source of truth): {@link io.keyward.admission.ConnectorValidator#admit} prunes
 * unknown fields, checks type meta, {@code metadata}, the {@code openAPIV3Schema} and the
 * {@code x-kubernetes-validations} rules (with a CEL engine), and answers an
 * {@link io.keyward.admission.Admission}: the causes with kube's field, reason and message, the
 * {@code unknown field} warnings, and the pruned object. {@link io.keyward.admission.KubeStatus}
 * renders a refusal as the API server's 422 {@code Status}.
 *
 * <p>JSON ({@code JsonNode}) in, records out: no Fabric8 client, no JOSDK. Local mode's API server
 * and {@code keyward validate} both call it.
 */
package io.keyward.admission;
