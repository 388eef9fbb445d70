package io.keyward.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Secrets among the given manifests, by namespace and name, with the keys they hold
 * ({@code data} and {@code stringData}; never the values). A manifest without a namespace is in
 * {@code default}, as {@code kubectl apply} without {@code -n} puts it. References are checked only
 * in namespaces whose Secrets the manifests hold: a repository that keeps a namespace's Secrets
 * elsewhere (sealed, external, created by hand) is not told that each one is missing.
 */
final class SecretInventory {
  private final Map<String, Set<String>> keysBySecret = new HashMap<>();

  static SecretInventory of(List<Document> documents) {
    SecretInventory inventory = new SecretInventory();
    for (Document d : documents) {
      if (d.object() != null && "Secret".equals(d.kind()) && "v1".equals(d.apiVersion()) && !d.name().isEmpty()) {
        Set<String> keys = new HashSet<>();
        for (String field : List.of("data", "stringData")) {
          JsonNode map = d.object().path(field);
          map.fieldNames().forEachRemaining(keys::add);
        }
        inventory.keysBySecret.merge(id(namespaceOf(d.namespace()), d.name()), keys, (a, b) -> {
          a.addAll(b);
          return a;
        });
      }
    }
    return inventory;
  }

  /** True when the manifests hold Secrets of this namespace: only then are references into it checked. */
  boolean holds(String namespace) {
    String prefix = namespaceOf(namespace) + "/";
    return keysBySecret.keySet().stream().anyMatch(id -> id.startsWith(prefix));
  }

  /** The namespaces whose Secrets the manifests hold, sorted. */
  java.util.SortedSet<String> namespaces() {
    java.util.SortedSet<String> namespaces = new java.util.TreeSet<>();
    keysBySecret.keySet().forEach(id -> namespaces.add(id.substring(0, id.indexOf('/'))));
    return namespaces;
  }

  /** The keys of the Secret, or empty if it is not among the manifests. */
  Optional<Set<String>> keys(String namespace, String name) {
    return Optional.ofNullable(keysBySecret.get(id(namespaceOf(namespace), name)));
  }

  static String namespaceOf(String namespace) {
    return namespace == null || namespace.isEmpty() ? "default" : namespace;
  }

  private static String id(String namespace, String name) {
    return namespace + "/" + name;
  }
}
