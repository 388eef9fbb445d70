/**
 * The {@code ApiConnector} custom resource ({@code keyward.io/v1alpha1}): pure data. The CRD under
 * {@code crds/} is generated from these classes by the fabric8 crd-generator.
 */
package io.keyward.api.v1alpha1;
