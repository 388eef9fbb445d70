package io.keyward.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Merges a profile with a connector's spec into the spec the issuers see: the profile's
 * {@code connector} with its placeholders filled from {@code spec.parameters}, then the connector's
 * own fields over it (objects merge field by field; a list or a value the connector sets replaces
 * the profile's). The result names no provider and no parameters, so the CRD's rules judge it as
 * they judge any spec.
 */
public final class ProfileMerge {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)}");

  private ProfileMerge() {}

  /**
   * The merged spec; fails naming the parameter that is missing, unknown or does not match its
   * pattern (never its value).
   */
  public static ObjectNode merge(ProviderProfile profile, JsonNode spec) throws ProfileException {
    Map<String, String> values = parameters(profile, spec.path("parameters"));
    ObjectNode merged = (ObjectNode) fill(profile.connector().deepCopy(), values);
    ObjectNode own = spec.deepCopy();
    own.remove("provider");
    own.remove("parameters");
    overlay(merged, own);
    return merged;
  }

  private static Map<String, String> parameters(ProviderProfile profile, JsonNode given) throws ProfileException {
    Map<String, ProviderProfile.Parameter> declared = new LinkedHashMap<>();
    profile.parameters().forEach(p -> declared.put(p.name(), p));
    for (Iterator<String> it = given.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!declared.containsKey(name)) {
        throw new ProfileException("UnknownParameter", "spec.parameters." + safe(name) + ": provider "
            + profile.name() + " has no such parameter" + known(declared));
      }
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (ProviderProfile.Parameter p : declared.values()) {
      JsonNode v = given.get(p.name());
      String value = v == null || v.isNull() ? p.defaultValue() : v.asText();
      if (value == null || value.isEmpty()) {
        throw new ProfileException("MissingParameter", "spec.parameters." + p.name() + ": required by provider "
            + profile.name() + " (" + p.description() + ")");
      }
      if (!Pattern.compile(p.patternOrDefault()).matcher(value).matches()) {
        throw new ProfileException("InvalidParameter", "spec.parameters." + p.name() + ": does not match "
            + p.patternOrDefault() + " (" + p.description() + ")");
      }
      values.put(p.name(), value);
    }
    return values;
  }

  private static String known(Map<String, ?> declared) {
    return declared.isEmpty() ? " (it takes none)" : " (it takes " + String.join(", ", new TreeSet<>(declared.keySet()))
        + ")";
  }

  /** A parameter name as a message shows it: the user's text, so only when it is a plain identifier. */
  private static String safe(String name) {
    return name.matches("[A-Za-z0-9_.-]{1,64}") ? name : "[a key]";
  }

  /** Fills every {@code {name}} in the profile's strings; a placeholder the profile does not declare stays as written. */
  private static JsonNode fill(JsonNode node, Map<String, String> values) {
    if (node.isTextual()) {
      Matcher m = PLACEHOLDER.matcher(node.asText());
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(m.group(1), m.group())));
      }
      m.appendTail(out);
      return TextNode.valueOf(out.toString());
    }
    if (node instanceof ObjectNode o) {
      o.properties().forEach(e -> e.setValue(fill(e.getValue(), values)));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i, fill(node.get(i), values));
      }
    }
    return node;
  }

  private static void overlay(ObjectNode base, JsonNode own) {
    own.properties().forEach(e -> {
      JsonNode mine = e.getValue();
      JsonNode theirs = base.get(e.getKey());
      if (mine.isObject() && theirs instanceof ObjectNode t) {
        overlay(t, mine);
      } else {
        base.set(e.getKey(), mine.deepCopy());
      }
    });
  }
}
