package io.keyward.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the API server does to a custom resource before it validates it: drop the fields its
 * structural schema does not know (apiextensions-apiserver {@code pkg/apiserver/schema/pruning}:
 * paths joined by {@code .}, list items as {@code [i]}, sorted; {@code apiVersion}, {@code kind}
 * and {@code metadata} of the root kept, subtrees under {@code x-kubernetes-preserve-unknown-fields}
 * kept), drop unknown {@code metadata} fields (ObjectMeta is decoded into its Go type), and drop
 * {@code null} values of fields that are not nullable and have no default
 * ({@code PruneNonNullableNullsWithoutDefaults}).
 */
final class Pruning {
  private static final Set<String> META_FIELDS = Set.of("apiVersion", "kind", "metadata");
  /** The JSON fields of ObjectMeta. */
  private static final Set<String> OBJECT_META = Set.of("name", "generateName", "namespace", "selfLink", "uid",
      "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
      "labels", "annotations", "ownerReferences", "finalizers", "managedFields");

  private Pruning() {}

  /** Prunes {@code object} in place and returns the paths it removed, sorted. */
  static List<String> prune(ObjectNode object, Schema root) {
    List<String> pruned = new ArrayList<>();
    JsonNode metadata = object.get("metadata");
    if (metadata instanceof ObjectNode meta) {
      Iterator<String> names = meta.fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        if (!OBJECT_META.contains(name)) {
          pruned.add("metadata." + name);
          names.remove();
        }
      }
    }
    prune(object, root, "", true, pruned);
    dropNulls(object, root);
    Collections.sort(pruned);
    return pruned;
  }

  private static void prune(JsonNode x, Schema s, String path, boolean embedded, List<String> pruned) {
    if (s != null && s.preserveUnknownFields) {
      skipPrune(x, s, path, embedded, pruned);
      return;
    }
    if (x instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> e = fields.next();
        String k = e.getKey();
        if ((embedded || (s != null && s.embeddedResource)) && META_FIELDS.contains(k)) {
          continue;
        }
        Schema prop = s == null ? null : s.properties.get(k);
        if (prop != null) {
          prune(e.getValue(), prop, join(path, k), false, pruned);
        } else if (s != null && s.additionalProperties != null) {
          prune(e.getValue(), s.additionalProperties, join(path, k), false, pruned);
        } else {
          pruned.add(join(path, k));
          fields.remove();
        }
      }
    } else if (x instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        prune(array.get(i), s == null ? null : s.items, path + "[" + i + "]", false, pruned);
      }
    }
  }

  private static void skipPrune(JsonNode x, Schema s, String path, boolean embedded, List<String> pruned) {
    if (x instanceof ObjectNode object) {
      object.fields().forEachRemaining(e -> {
        String k = e.getKey();
        if ((embedded || s.embeddedResource) && META_FIELDS.contains(k)) {
          return;
        }
        Schema prop = s.properties.get(k);
        if (prop != null) {
          prune(e.getValue(), prop, join(path, k), false, pruned);
        } else if (s.additionalProperties != null) {
          prune(e.getValue(), s.additionalProperties, join(path, k), false, pruned);
        }
      });
    } else if (x instanceof ArrayNode array && s.items != null) {
      for (int i = 0; i < array.size(); i++) {
        prune(array.get(i), s.items, path + "[" + i + "]", false, pruned);
      }
    }
  }

  /** Removes {@code null} values of fields that are not nullable and have no default. */
  private static void dropNulls(JsonNode x, Schema s) {
    if (s == null) {
      return;
    }
    if (x instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> e = fields.next();
        Schema child = s.properties.containsKey(e.getKey()) ? s.properties.get(e.getKey()) : s.additionalProperties;
        if (child == null) {
          continue;
        }
        if (e.getValue().isNull() && !child.nullable && child.defaultValue == null) {
          fields.remove();
        } else {
          dropNulls(e.getValue(), child);
        }
      }
    } else if (x instanceof ArrayNode array) {
      array.forEach(item -> dropNulls(item, s.items));
    }
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
