package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Iterator;
import java.util.Map;

/**
 * Used by the crd-generator at build time only: deep-merges a JSON fragment into a class's generated
 * schema, for what the annotations cannot reach (the items of a list, the values of a map). The
 * generator's own MergePatchCustomizer replaces {@code properties} as a whole instead of merging.
 */
public final class SchemaMerge implements SchemaCustomizer.Customizer {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public JSONSchemaProps apply(JSONSchemaProps schema, String input, KubernetesSerialization serialization) {
    try {
      JsonNode base = JSON.readTree(serialization.asJson(schema));
      merge((ObjectNode) base, JSON.readTree(input));
      return serialization.unmarshal(JSON.writeValueAsString(base), JSONSchemaProps.class);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("bad schema fragment: " + input, e);
    }
  }

  private static void merge(ObjectNode base, JsonNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode existing = base.get(field.getKey());
      if (existing instanceof ObjectNode target && field.getValue().isObject()) {
        merge(target, field.getValue());
      } else {
        base.set(field.getKey(), field.getValue());
      }
    }
  }
}
