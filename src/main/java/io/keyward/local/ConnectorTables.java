package io.keyward.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server-side printing for ApiConnectors, as a real API server does it from the CRD's
 * {@code additionalPrinterColumns}: {@code kubectl get apic} shows TYPE, READY, EXPIRES, AGE.
 */
final class ConnectorTables {
  static final String CRD_RESOURCE = "/META-INF/fabric8/apiconnectors.keyward.io-v1.yml";
  private static final Pattern PATH = Pattern.compile("^/apis/keyward\\.io/v1alpha1/(namespaces/[^/]+/)?apiconnectors(/[^/]+)?$");
  private static final Pattern FILTER = Pattern.compile("^(\\w+)\\[\\?\\(@\\.(\\w+)==\"([^\"]*)\"\\)\\]$");
  private final Dispatcher crud;
  private final List<CustomResourceColumnDefinition> columns;

  ConnectorTables(Dispatcher crud) {
    this.crud = crud;
    this.columns = crd().getSpec().getVersions().get(0).getAdditionalPrinterColumns();
  }

  /** The ApiProvider CRD, as generated (cluster-scoped). */
  static CustomResourceDefinition providerCrd() {
    try (InputStream in = ConnectorTables.class.getResourceAsStream("/META-INF/fabric8/apiproviders.keyward.io-v1.yml")) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CustomResourceDefinition crd() {
    try (InputStream in = ConnectorTables.class.getResourceAsStream(CRD_RESOURCE)) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean handles(String path) {
    return PATH.matcher(path).matches();
  }

  MockResponse table(RecordedRequest request) {
    var plain = new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
        request.getHeaders().newBuilder().set("Accept", "application/json").build(), request.getBody());
    MockResponse response = crud.dispatch(plain);
    String body = response.getBody() == null ? "" : response.getBody().readUtf8();
    if (response.getStatus() == null || !response.getStatus().contains(" 200")) {
      return response.setBody(body);
    }
    try {
      JsonNode json = Serialization.jsonMapper().readTree(body);
      return LocalApiDispatcher.json(200, Serialization.jsonMapper().writeValueAsString(toTable(json, Instant.now())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ObjectNode toTable(JsonNode json, Instant now) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode table = f.objectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    table.putObject("metadata").put("resourceVersion", json.path("metadata").path("resourceVersion").asText(""));
    ArrayNode definitions = table.putArray("columnDefinitions");
    definitions.addObject().put("name", "Name").put("type", "string").put("format", "name").put("priority", 0)
        .put("description", "Name must be unique within a namespace.");
    for (CustomResourceColumnDefinition c : columns) {
      definitions.addObject().put("name", c.getName()).put("type", c.getType())
          .put("format", c.getFormat() == null ? "" : c.getFormat())
          .put("priority", c.getPriority() == null ? 0 : c.getPriority())
          .put("description", c.getDescription() == null ? "" : c.getDescription());
    }
    ArrayNode rows = table.putArray("rows");
    Iterable<JsonNode> items = json.has("items") ? json.get("items") : List.of(json);
    for (JsonNode item : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(item.path("metadata").path("name").asText());
      for (CustomResourceColumnDefinition c : columns) {
        String value = evaluate(item, c.getJsonPath());
        cells.add("date".equals(c.getType()) ? age(value, now) : value == null ? "" : value);
      }
      ObjectNode object = row.putObject("object");
      object.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
      object.set("metadata", item.path("metadata"));
    }
    return table;
  }

  /** The JSONPath subset CRD printer columns use: {@code .a.b} and {@code .a[?(@.k=="v")].b}. */
  static String evaluate(JsonNode node, String jsonPath) {
    JsonNode current = node;
    for (String step : jsonPath.substring(1).split("\\.(?![^\\[]*\\])")) {
      Matcher filter = FILTER.matcher(step);
      if (filter.matches()) {
        JsonNode match = null;
        for (JsonNode element : current.path(filter.group(1))) {
          if (filter.group(3).equals(element.path(filter.group(2)).asText())) {
            match = element;
            break;
          }
        }
        if (match == null) {
          return null;
        }
        current = match;
      } else {
        current = current.path(step);
      }
    }
    return current.isMissingNode() || current.isNull() ? null : current.asText();
  }

  /** Ages the way kubectl prints them: 45s, 12m, 3h, 5d. */
  static String age(String timestamp, Instant now) {
    if (timestamp == null || timestamp.isEmpty()) {
      return "<unknown>";
    }
    Duration d = Duration.between(Instant.parse(timestamp), now);
    if (d.isNegative()) {
      return "0s";
    }
    if (d.toMinutes() < 2) {
      return d.toSeconds() + "s";
    }
    if (d.toHours() < 2) {
      return d.toMinutes() + "m";
    }
    return d.toDays() < 2 ? d.toHours() + "h" : d.toDays() + "d";
  }
}
