package io.keyward.local;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyward.api.v1alpha1.ApiConnector;
import java.util.List;
import java.util.Map;

/**
 * The discovery documents the real kubectl reads before it does anything ({@code /version},
 * {@code /api}, {@code /apis}, and one resource list per group version), for the resources local
 * mode serves.
 */
final class Discovery {
  static final String GIT_VERSION = "v1.33.0-keyward-local";
  private static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  private Discovery() {}

  /** Path to JSON document. */
  static Map<String, String> documents() {
    String keyward = ApiConnector.GROUP + "/" + ApiConnector.VERSION;
    return Map.of(
        "/version", Serialization.asJson(new VersionInfo.Builder().withMajor("1").withMinor("33")
            .withGitVersion(GIT_VERSION).withPlatform("linux/amd64").build()),
        "/api", Serialization.asJson(new APIVersionsBuilder().withVersions("v1").build()),
        "/apis", Serialization.asJson(new APIGroupListBuilder().withGroups(
            group(ApiConnector.GROUP, ApiConnector.VERSION),
            group("apiextensions.k8s.io", "v1"),
            group("coordination.k8s.io", "v1")).build()),
        "/api/v1", resources("v1",
            resource("namespaces", "Namespace", false, "ns"),
            resource("secrets", "Secret", true),
            resource("configmaps", "ConfigMap", true, "cm"),
            resource("events", "Event", true, "ev")),
        "/apis/" + keyward, resources(keyward,
            resource("apiconnectors", "ApiConnector", true, "apic"),
            resource("apiconnectors/status", "ApiConnector", true)),
        "/apis/apiextensions.k8s.io/v1", resources("apiextensions.k8s.io/v1",
            resource("customresourcedefinitions", "CustomResourceDefinition", false, "crd", "crds")),
        "/apis/coordination.k8s.io/v1", resources("coordination.k8s.io/v1", resource("leases", "Lease", true)));
  }

  private static io.fabric8.kubernetes.api.model.APIGroup group(String name, String version) {
    var gv = new GroupVersionForDiscoveryBuilder().withGroupVersion(name + "/" + version).withVersion(version).build();
    return new APIGroupBuilder().withName(name).withVersions(gv).withPreferredVersion(gv).build();
  }

  private static String resources(String groupVersion, APIResource... resources) {
    return Serialization.asJson(
        new APIResourceListBuilder().withGroupVersion(groupVersion).withResources(resources).build());
  }

  private static APIResource resource(String plural, String kind, boolean namespaced, String... shortNames) {
    String singular = plural.contains("/") ? "" : kind.toLowerCase();
    return new APIResourceBuilder().withName(plural).withKind(kind).withNamespaced(namespaced)
        .withSingularName(singular).withVerbs(plural.endsWith("/status") ? List.of("get", "patch", "update") : VERBS)
        .withShortNames(shortNames).build();
  }
}
