package io.keyward.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.Program;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CRD's {@code x-kubernetes-validations}, compiled and evaluated by a real CEL engine
 * (dev.cel, the Java implementation of the language the API server runs through cel-go), with
 * {@code self} (and {@code oldSelf} for transition rules) bound the way the API server binds them.
 *
 * <p>The environment has the standard library and macros ({@code has}, {@code all},
 * {@code exists}, {@code filter}, {@code map}), the strings and sets extensions and
 * {@code cel.bind}, which the API server also offers. Kubernetes' own libraries (lists, regex,
 * url, quantity, ip, cidr, format, semver) are not in dev.cel: a rule calling them fails to
 * compile here, so a CRD that starts using one is noticed at build time.
 */
final class CelRules {
  private static final Pattern EVAL_PREFIX = Pattern.compile("^evaluation error(?: at [^:]*:\\d+)?: ");
  private static final Pattern NO_SUCH_KEY = Pattern.compile("^key '(.*)' is not present in map\\.?$");

  private final Cel cel;

  CelRules() {
    CelOptions options = CelOptions.current().build();
    cel = CelFactory.standardCelBuilder()
        .setOptions(options)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addVar("self", SimpleType.DYN)
        .addVar("oldSelf", SimpleType.DYN)
        .addCompilerLibraries(CelExtensions.strings(), CelExtensions.sets(options), CelExtensions.bindings())
        .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.sets(options))
        .build();
  }

  /** One rule of {@code x-kubernetes-validations}. */
  record Rule(String rule, String message, Program program, Program messageExpression, String reason,
      String fieldPath, boolean usesOldSelf) {
    /** {@code ruleErrorString}: the message, else the rule. */
    String errorString() {
      return message != null && !message.isBlank() ? message.strip() : rule.strip();
    }

    /** {@code ruleMessageOrDefault}. */
    String messageOrDefault() {
      return message != null && !message.isBlank() ? message.strip() : "failed rule: " + errorString();
    }
  }

  /** The outcome of one rule on one value. */
  sealed interface Outcome permits Passed, Failed, EvaluationError {}

  record Passed() implements Outcome {}

  /** The rule is false; {@code message} is the message (or the evaluated messageExpression). */
  record Failed(String message) implements Outcome {}

  /** The rule could not be evaluated; {@code error} as cel-go words it where the two differ. */
  record EvaluationError(String error) implements Outcome {}

  Rule compile(JsonNode r, String at) {
    String rule = r.path("rule").asText("");
    CelAbstractSyntaxTree ast = ast(rule, at + ".x-kubernetes-validations");
    boolean usesOldSelf = ast.getReferenceMap().values().stream().anyMatch(ref -> ref.name().equals("oldSelf"));
    String messageExpression = r.hasNonNull("messageExpression") ? r.get("messageExpression").asText() : null;
    Program message = messageExpression == null ? null
        : program(ast(messageExpression, at + ".messageExpression"), messageExpression, at);
    return new Rule(rule, text(r, "message"), program(ast, rule, at), message, text(r, "reason"),
        text(r, "fieldPath"), usesOldSelf);
  }

  private CelAbstractSyntaxTree ast(String expression, String at) {
    try {
      return cel.compile(expression).getAst();
    } catch (CelValidationException e) {
      throw new IllegalArgumentException(at + ": " + expression + " does not compile: " + e.getMessage(), e);
    }
  }

  private Program program(CelAbstractSyntaxTree ast, String expression, String at) {
    try {
      return cel.createProgram(ast);
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException(at + ": " + expression + " cannot be planned: " + e.getMessage(), e);
    }
  }

  Outcome evaluate(Rule rule, Object self, Object oldSelf) {
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("self", self);
    if (oldSelf != null) {
      vars.put("oldSelf", oldSelf);
    }
    Object result;
    try {
      result = rule.program().eval(vars);
    } catch (CelEvaluationException e) {
      return new EvaluationError(celGoWording(e.getMessage()));
    } catch (RuntimeException e) {
      return new EvaluationError(e.getClass().getSimpleName());
    }
    if (Boolean.TRUE.equals(result)) {
      return new Passed();
    }
    return new Failed(message(rule, vars));
  }

  /** The evaluated messageExpression, or the rule's message when it cannot be used (as the API server falls back). */
  private static String message(Rule rule, Map<String, Object> vars) {
    if (rule.messageExpression() != null) {
      try {
        Object m = rule.messageExpression().eval(vars);
        if (m instanceof String s && !s.isBlank() && !s.contains("\n")) {
          return s.strip();
        }
      } catch (CelEvaluationException | RuntimeException e) {
        // the API server logs it and uses the message
      }
    }
    return rule.messageOrDefault();
  }

  private static String celGoWording(String message) {
    String m = message == null ? "" : EVAL_PREFIX.matcher(message).replaceFirst("");
    Matcher key = NO_SUCH_KEY.matcher(m);
    if (key.matches()) {
      return "no such key: " + key.group(1);
    }
    return m;
  }

  /**
   * A value as the API server hands it to CEL ({@code UnstructuredToVal}): objects as maps, lists
   * as lists, {@code integer} fields as int64 (a whole float too), {@code number} fields as
   * double, null as null.
   */
  static Object value(JsonNode v, Schema s) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    String type = s == null ? null : s.type;
    if (v.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      v.fields().forEachRemaining(e -> {
        Schema child = s == null ? null
            : s.properties.containsKey(e.getKey()) ? s.properties.get(e.getKey()) : s.additionalProperties;
        map.put(e.getKey(), value(e.getValue(), child));
      });
      return map;
    }
    if (v.isArray()) {
      List<Object> list = new ArrayList<>(v.size());
      v.forEach(item -> list.add(value(item, s == null ? null : s.items)));
      return list;
    }
    if (v.isNumber()) {
      if ("number".equals(type)) {
        return v.doubleValue();
      }
      if (v.isIntegralNumber() || ("integer".equals(type) && v.doubleValue() == Math.rint(v.doubleValue()))) {
        return v.longValue();
      }
      return v.doubleValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    return v.asText();
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
