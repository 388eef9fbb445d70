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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
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

  /** A kind local mode serves: where it lives, and whether it has a status subresource. */
  record Served(String groupVersion, String plural, String kind, boolean namespaced, boolean status,
      List<String> shortNames) {
    String group() {
      return groupVersion.contains("/") ? groupVersion.substring(0, groupVersion.indexOf('/')) : "";
    }

    String version() {
      return groupVersion.substring(groupVersion.indexOf('/') + 1);
    }

    /** {@code /api/v1} or {@code /apis/<group>/<version>}. */
    String root() {
      return (groupVersion.contains("/") ? "/apis/" : "/api/") + groupVersion;
    }

    /** The collection's path, in {@code namespace} when the kind is namespaced. */
    String collection(String namespace) {
      return root() + (namespaced ? "/namespaces/" + namespace : "") + "/" + plural;
    }
  }

  /** Everything local mode serves, in the order discovery lists it. */
  static final List<Served> SERVED = List.of(
      new Served("v1", "namespaces", "Namespace", false, false, List.of("ns")),
      new Served("v1", "secrets", "Secret", true, false, List.of()),
      new Served("v1", "configmaps", "ConfigMap", true, false, List.of("cm")),
      new Served("v1", "events", "Event", true, false, List.of("ev")),
      // what spec.rollout restarts, and the pods it looks at (nothing runs them here: no controllers, no kubelet)
      new Served("v1", "pods", "Pod", true, true, List.of("po")),
      new Served("apps/v1", "deployments", "Deployment", true, true, List.of("deploy")),
      new Served("apps/v1", "statefulsets", "StatefulSet", true, true, List.of("sts")),
      new Served("apps/v1", "daemonsets", "DaemonSet", true, true, List.of("ds")),
      new Served("apps/v1", "replicasets", "ReplicaSet", true, true, List.of("rs")),
      new Served(ApiConnector.GROUP + "/" + ApiConnector.VERSION, "apiconnectors", "ApiConnector", true, true,
          List.of("apic")),
      new Served(ApiConnector.GROUP + "/" + ApiConnector.VERSION, "apiproviders", "ApiProvider", false, false,
          List.of("apip")),
      new Served("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", false, true,
          List.of("crd", "crds")),
      new Served("coordination.k8s.io/v1", "leases", "Lease", true, false, List.of()));

  private Discovery() {}

  /** The served kind of {@code apiVersion} and {@code kind}. */
  static Optional<Served> find(String apiVersion, String kind) {
    return SERVED.stream().filter(s -> s.groupVersion().equals(apiVersion) && s.kind().equals(kind)).findFirst();
  }

  /** Path to JSON document. */
  static Map<String, String> documents() {
    Map<String, String> documents = new LinkedHashMap<>();
    documents.put("/version", Serialization.asJson(new VersionInfo.Builder().withMajor("1").withMinor("33")
        .withGitVersion(GIT_VERSION).withPlatform("linux/amd64").build()));
    documents.put("/api", Serialization.asJson(new APIVersionsBuilder().withVersions("v1").build()));
    Map<String, List<APIResource>> byGroupVersion = new LinkedHashMap<>();
    for (Served served : SERVED) {
      List<APIResource> resources = byGroupVersion.computeIfAbsent(served.groupVersion(), k -> new ArrayList<>());
      resources.add(resource(served.plural(), served.kind(), served.namespaced(),
          served.shortNames().toArray(String[]::new)));
      if (served.status()) {
        resources.add(resource(served.plural() + "/status", served.kind(), served.namespaced()));
      }
    }
    List<io.fabric8.kubernetes.api.model.APIGroup> groups = new ArrayList<>();
    byGroupVersion.forEach((groupVersion, resources) -> {
      documents.put((groupVersion.contains("/") ? "/apis/" : "/api/") + groupVersion, Serialization.asJson(
          new APIResourceListBuilder().withGroupVersion(groupVersion).withResources(resources).build()));
      if (groupVersion.contains("/")) {
        String[] parts = groupVersion.split("/");
        groups.add(group(parts[0], parts[1]));
      }
    });
    documents.put("/apis", Serialization.asJson(new APIGroupListBuilder().withGroups(groups).build()));
    return documents;
  }

  private static io.fabric8.kubernetes.api.model.APIGroup group(String name, String version) {
    var gv = new GroupVersionForDiscoveryBuilder().withGroupVersion(name + "/" + version).withVersion(version).build();
    return new APIGroupBuilder().withName(name).withVersions(gv).withPreferredVersion(gv).build();
  }

  private static APIResource resource(String plural, String kind, boolean namespaced, String... shortNames) {
    String singular = plural.contains("/") ? "" : kind.toLowerCase();
    return new APIResourceBuilder().withName(plural).withKind(kind).withNamespaced(namespaced)
        .withSingularName(singular).withVerbs(plural.endsWith("/status") ? List.of("get", "patch", "update") : VERBS)
        .withShortNames(shortNames).build();
  }
}
