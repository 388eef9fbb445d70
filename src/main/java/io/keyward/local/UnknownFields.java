package io.keyward.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The fields an admission pruned: present in the object sent, absent from the object to store, as
 * kube-apiserver names them in {@code unknown field "spec.auth.foo"} (array items as
 * {@code [i]}). Not one: a {@code status} dropped whole (a create resets status), nor a null
 * dropped (kube drops the nulls of fields that are not nullable silently).
 */
final class UnknownFields {
  private UnknownFields() {}

  static List<String> between(JsonNode sent, JsonNode stored) {
    List<String> paths = new ArrayList<>();
    if (sent != stored && sent.isObject() && stored.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = sent.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!stored.has(field.getKey())) {
          if (!"status".equals(field.getKey()) && !field.getValue().isNull()) {
            paths.add(field.getKey());
          }
        } else {
          walk(field.getValue(), stored.get(field.getKey()), field.getKey(), paths);
        }
      }
    }
    return paths;
  }

  private static void walk(JsonNode sent, JsonNode stored, String path, List<String> paths) {
    if (sent.isObject() && stored.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = sent.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String child = path + "." + field.getKey();
        if (!stored.has(field.getKey())) {
          if (!field.getValue().isNull()) {
            paths.add(child);
          }
        } else {
          walk(field.getValue(), stored.get(field.getKey()), child, paths);
        }
      }
    } else if (sent.isArray() && stored.isArray() && sent.size() == stored.size()) {
      for (int i = 0; i < sent.size(); i++) {
        walk(sent.get(i), stored.get(i), path + "[" + i + "]", paths);
      }
    }
  }
}
