package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An integration credential that Keyward keeps fresh: the auth type and where its inputs live
 * ({@link ApiConnectorSpec}), and what Keyward last did about it ({@link ApiConnectorStatus}).
 */
@Group(ApiConnector.GROUP)
@Version(ApiConnector.VERSION)
@ShortNames("apic")
@AdditionalPrinterColumn(name = "TYPE", jsonPath = ".status.authType", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "READY",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "EXPIRES", jsonPath = ".status.expiresAt", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ApiConnector extends CustomResource<ApiConnectorSpec, ApiConnectorStatus> implements Namespaced {
  public static final String GROUP = "keyward.io";
  public static final String VERSION = "v1alpha1";
  /** Set to any new value (e.g. a timestamp) to have the credential refreshed once, at once. */
  public static final String REFRESH_REQUESTED_AT = "keyward.io/refresh-requested-at";

  /** Read leniently: one stored object this model cannot read never stops the informer (see {@link StoredSpec}). */
  @Override
  @JsonDeserialize(using = StoredSpec.Reader.class)
  public void setSpec(ApiConnectorSpec spec) {
    super.setSpec(spec);
  }

  @Override
  @JsonSerialize(using = StoredSpec.Writer.class)
  public ApiConnectorSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonDeserialize(using = StoredSpec.StatusReader.class)
  public void setStatus(ApiConnectorStatus status) {
    super.setStatus(status);
  }

  /** The value of the refresh annotation; empty when it is not set or blank. */
  public java.util.Optional<String> refreshRequest() {
    var annotations = getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(REFRESH_REQUESTED_AT);
    return value == null || value.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(value);
  }

  @Override
  protected ApiConnectorStatus initStatus() {
    return new ApiConnectorStatus();
  }
}
