package io.keyward.local;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.keyward.api.v1alpha1.ApiConnector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads manifests (files or directories of multi-document YAML) and applies them in an order that
 * works: namespaces, then Secrets and ConfigMaps, then everything else, then ApiConnectors.
 */
final class Manifests {
  private Manifests() {}

  static List<HasMetadata> read(KubernetesClient client, List<Path> paths) {
    client.getKubernetesSerialization().registerKubernetesResource(ApiConnector.class);
    List<HasMetadata> items = new ArrayList<>();
    for (Path path : paths) {
      for (Path file : files(path)) {
        try {
          Object parsed = client.getKubernetesSerialization().unmarshal(Files.readString(file));
          for (Object o : parsed instanceof List<?> list ? list : java.util.Collections.singletonList(parsed)) {
            if (o instanceof HasMetadata resource) {
              items.add(resource);
            } else if (o != null) {
              throw new LocalModeException(file + ": not a Kubernetes resource");
            }
          }
        } catch (IOException | RuntimeException e) {
          if (e instanceof LocalModeException l) {
            throw l;
          }
          throw new LocalModeException(file + ": cannot be read as Kubernetes YAML (" + e.getClass().getSimpleName() + ")");
        }
      }
    }
    items.sort(Comparator.comparingInt(Manifests::rank));
    return items;
  }

  /** Creates or updates each resource; namespaces they name are created first. */
  static void apply(KubernetesClient client, List<HasMetadata> items) {
    Set<String> namespaces = new LinkedHashSet<>();
    for (HasMetadata item : items) {
      if (item instanceof Namespaced) {
        if (item.getMetadata().getNamespace() == null) {
          item.getMetadata().setNamespace("default");
        }
        namespaces.add(item.getMetadata().getNamespace());
      }
    }
    for (String ns : namespaces) {
      if (client.namespaces().withName(ns).get() == null) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      }
    }
    for (HasMetadata item : items) {
      try {
        client.resource(item).createOr(NonDeletingOperation::update);
      } catch (KubernetesClientException e) {
        throw new LocalModeException("could not apply " + item.getKind() + " " + item.getMetadata().getName()
            + ": HTTP " + e.getCode());
      }
    }
  }

  private static List<Path> files(Path path) {
    if (!Files.exists(path)) {
      throw new LocalModeException(path + " does not exist (-f)");
    }
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> walk = Files.walk(path)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new LocalModeException(path + " cannot be read: " + e.getMessage());
    }
  }

  private static int rank(HasMetadata item) {
    if (item instanceof Namespace) {
      return 0;
    }
    return switch (item.getKind()) {
      case "Secret", "ConfigMap" -> 1;
      case "ApiConnector" -> 3;
      default -> 2;
    };
  }
}
