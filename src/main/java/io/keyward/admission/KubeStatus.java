package io.keyward.admission;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * kube-apiserver's answer to an invalid object: HTTP 422 with a {@code Status} of reason
 * {@code Invalid}, built as k8s.io/apimachinery {@code pkg/api/errors.NewInvalid} builds it. One
 * cause per field error (none dropped); the message joins the distinct causes as
 * {@code ErrorList.ToAggregate} does: the one cause alone, several in brackets.
 */
public final class KubeStatus {
  /** The HTTP status of an invalid object. */
  public static final int UNPROCESSABLE_ENTITY = 422;

  private KubeStatus() {}

  /**
   * The {@code Status} body, fields in the order the API server writes them: {@code kind},
   * {@code apiVersion}, {@code metadata}, {@code status}, {@code message}, {@code reason},
   * {@code details} ({@code name}, {@code group}, {@code kind}, {@code causes}), {@code code}.
   */
  public static ObjectNode invalid(String group, String kind, String name, List<Cause> causes) {
    ObjectNode status = GoValues.object();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", invalidMessage(group, kind, name, causes));
    status.put("reason", "Invalid");
    ObjectNode details = status.putObject("details");
    if (name != null && !name.isEmpty()) {
      details.put("name", name);
    }
    if (group != null && !group.isEmpty()) {
      details.put("group", group); // omitempty, as StatusDetails is written
    }
    if (kind != null && !kind.isEmpty()) {
      details.put("kind", kind);
    }
    ArrayNode list = details.putArray("causes");
    for (Cause c : causes) {
      ObjectNode cause = list.addObject();
      cause.put("reason", c.type());
      cause.put("message", c.message());
      cause.put("field", c.field());
    }
    status.put("code", UNPROCESSABLE_ENTITY);
    return status;
  }

  /** {@code ApiConnector.keyward.io "crm" is invalid: [spec.a: Required value, spec.b: ...]}. */
  public static String invalidMessage(String group, String kind, String name, List<Cause> causes) {
    String qualified = group == null || group.isEmpty() ? kind : kind + "." + group;
    String head = qualified + " " + GoValues.quote(name == null ? "" : name) + " is invalid";
    Set<String> distinct = new LinkedHashSet<>();
    causes.forEach(c -> distinct.add(c.toString()));
    if (distinct.isEmpty()) {
      return head;
    }
    if (distinct.size() == 1) {
      return head + ": " + distinct.iterator().next();
    }
    return head + ": [" + String.join(", ", distinct) + "]";
  }
}
