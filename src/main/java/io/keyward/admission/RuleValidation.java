package io.keyward.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates every {@code x-kubernetes-validations} rule on every value it applies to, as
 * apiextensions-apiserver {@code pkg/apiserver/schema/cel/validation.go} does: rules of a node
 * before those below it; null values skipped; a transition rule ({@code oldSelf}) only where the
 * old object has a value at the same path (object fields and map keys correlate, list items do
 * not); a false rule is a cause at the node (or its {@code fieldPath}) with the schema type as the
 * value ({@code Invalid value: "object": <message>}), or the rule's {@code reason}; an evaluation
 * error is {@code "<error> evaluating rule: <message or rule>"}. Paths are {@code field.Path}s:
 * {@code spec.auth}, {@code spec.list[0]}, {@code spec.map[key]}.
 */
final class RuleValidation {
  private final CelRules cel;
  private final List<Cause> causes = new ArrayList<>();

  private RuleValidation(CelRules cel) {
    this.cel = cel;
  }

  static List<Cause> validate(CelRules cel, Schema root, JsonNode object, JsonNode old) {
    RuleValidation v = new RuleValidation(cel);
    v.node(root, object, old, FieldPath.ROOT);
    return v.causes;
  }

  private void node(Schema s, JsonNode value, JsonNode old, FieldPath path) {
    if (s == null || value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    JsonNode oldValue = old == null || old.isNull() || old.isMissingNode() ? null : old;
    if (!s.rules.isEmpty()) {
      Object self = CelRules.value(value, s);
      Object oldSelf = oldValue == null ? null : CelRules.value(oldValue, s);
      String type = GoValues.quote(s.type == null ? "" : s.type);
      for (CelRules.Rule rule : s.rules) {
        if (rule.usesOldSelf() && oldSelf == null) {
          continue; // transition rules need a value to compare with
        }
        CelRules.Outcome outcome = cel.evaluate(rule, self, rule.usesOldSelf() ? oldSelf : null);
        if (outcome instanceof CelRules.Failed f) {
          causes.add(failed(rule, at(path, rule.fieldPath()), type, f.message()));
        } else if (outcome instanceof CelRules.EvaluationError e) {
          causes.add(Cause.invalid(path.toString(), type, e.error() + " evaluating rule: " + rule.errorString()));
        }
      }
    }
    if (value.isArray() && s.items != null) {
      for (int i = 0; i < value.size(); i++) {
        node(s.items, value.get(i), null, path.index(i));
      }
    } else if (value.isObject()) {
      value.fields().forEachRemaining(e -> {
        JsonNode o = oldValue == null ? null : oldValue.get(e.getKey());
        Schema prop = s.properties.get(e.getKey());
        if (prop != null) {
          node(prop, e.getValue(), o, path.child(e.getKey()));
        } else if (s.additionalProperties != null) {
          node(s.additionalProperties, e.getValue(), o, path.key(e.getKey()));
        }
      });
    }
  }

  /** {@code fieldErrorForReason}. */
  private static Cause failed(CelRules.Rule rule, FieldPath path, String type, String message) {
    String field = path.toString();
    if (rule.reason() == null) {
      return Cause.invalid(field, type, message);
    }
    return switch (rule.reason()) {
      case Cause.FORBIDDEN -> Cause.forbidden(field, message);
      case Cause.REQUIRED -> Cause.required(field, message);
      case Cause.DUPLICATE -> Cause.duplicate(field, type);
      default -> Cause.invalid(field, type, message);
    };
  }

  /** The node, or the field a rule's {@code fieldPath} names below it ({@code .a.b}, {@code ['a']}). */
  private static FieldPath at(FieldPath path, String fieldPath) {
    if (fieldPath == null || fieldPath.isBlank()) {
      return path;
    }
    String normalized = fieldPath.strip().replaceAll("\\['([^']*)'\\]", ".$1");
    FieldPath p = path;
    for (String part : normalized.split("\\.")) {
      if (!part.isEmpty()) {
        p = p.child(part);
      }
    }
    return p;
  }
}
