package io.keyward.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A provider profile kept in the cluster (cluster-scoped, like cert-manager's ClusterIssuer): an
 * {@code ApiConnector} whose {@code spec.provider} is this object's name is merged with it. An
 * ApiProvider of a built-in profile's name replaces the built-in one; any other name adds a
 * provider. Its spec has the fields of a built-in profile file.
 */
@Group(ApiConnector.GROUP)
@Version(ApiConnector.VERSION)
@ShortNames("apip")
@AdditionalPrinterColumn(name = "DISPLAY NAME", jsonPath = ".spec.displayName",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ApiProvider extends CustomResource<ApiProviderSpec, Void> {
  /** The resource name: {@code kubectl get apiproviders}. */
  public static final String PLURAL = "apiproviders";
}
