package io.keyward.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Lists of Events with a field selector, filtered as kube-apiserver filters them (the mock
 * matches only {@code metadata.*} and so found none for {@code involvedObject.*}): what
 * {@code kubectl describe} sends to show an object's Events. Watches are left to the mock.
 */
final class EventLists {
  private static final Pattern PATH = Pattern.compile("^/api/v1/(namespaces/[^/]+/)?events$");
  /** The fields kube-apiserver selects Events by ({@code pkg/registry/core/event/strategy.go}). */
  private static final Set<String> FIELDS = Set.of("metadata.name", "metadata.namespace", "involvedObject.kind",
      "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
      "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type");
  private static final Set<String> DROPPED = Set.of("fieldSelector", "limit", "continue");

  private final Dispatcher crud;

  EventLists(Dispatcher crud) {
    this.crud = crud;
  }

  static boolean handles(String bare, Map<String, String> query) {
    return PATH.matcher(bare).matches() && query.containsKey("fieldSelector") && !"true".equals(query.get("watch"))
        && !"1".equals(query.get("watch"));
  }

  MockResponse list(RecordedRequest request, String bare, String rawQuery, Map<String, String> query) {
    String text = query.get("fieldSelector");
    FieldSelector selector;
    try {
      selector = FieldSelector.parse(text);
    } catch (IllegalArgumentException e) {
      return KubeStatus.response(KubeStatus.badRequest(e.getMessage()));
    }
    for (FieldSelector.Term term : selector.terms()) {
      if (!FIELDS.contains(term.field())) {
        return KubeStatus.response(KubeStatus.badRequest("field label not supported: " + term.field()));
      }
    }
    StringBuilder kept = new StringBuilder();
    for (String param : rawQuery.split("&")) {
      String name = param.contains("=") ? param.substring(0, param.indexOf('=')) : param;
      if (!param.isEmpty() && !DROPPED.contains(name)) {
        kept.append(kept.length() == 0 ? "?" : "&").append(param);
      }
    }
    MockResponse response = crud.dispatch(new RecordedRequest(request.getHttpVersion(), request.method(), bare + kept,
        request.getHeaders(), request.getBody()));
    String body = response.getBody() == null ? "" : response.getBody().readUtf8();
    if (response.code() != 200) {
      return response.setBody(body);
    }
    try {
      JsonNode list = Serialization.jsonMapper().readTree(body);
      if (list instanceof ObjectNode object && list.get("items") instanceof ArrayNode items) {
        List<JsonNode> matching = new ArrayList<>();
        items.forEach(event -> {
          if (selector.matches(field -> value(event, field))) {
            matching.add(event);
          }
        });
        object.put("kind", "EventList"); // the mock says List, which typed clients (kubectl describe) cannot read
        object.putArray("items").addAll(matching);
        // without a Content-Type, typed clients (kubectl describe asks for protobuf first) cannot decode it
        return response.setHeader("Content-Type", "application/json").setBody(object.toString());
      }
      return response.setBody(body);
    } catch (IOException e) {
      return response.setBody(body);
    }
  }

  /** The value kube compares a field with ("" when the Event has none). */
  static String value(JsonNode event, String field) {
    return switch (field) {
      case "source" -> {
        String component = event.path("source").path("component").asText("");
        yield component.isEmpty() ? event.path("reportingComponent").asText("") : component;
      }
      default -> {
        JsonNode node = event;
        for (String step : field.split("\\.")) {
          node = node.path(step);
        }
        yield node.isValueNode() ? node.asText("") : "";
      }
    };
  }
}
