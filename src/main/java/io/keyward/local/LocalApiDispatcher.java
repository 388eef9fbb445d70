package io.keyward.local;

import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Puts the real kubectl in front of the Fabric8 CRUD dispatcher: serves the discovery documents
 * and the OpenAPI v3 documents kubectl's default validation reads ({@link OpenApi}), answers
 * {@code as=Table} requests for ApiConnectors with the CRD's printer columns, puts ApiConnector
 * writes through {@link LocalAdmission} ({@link ConnectorWrites}), filters Event lists by field
 * selector ({@link EventLists}), treats a
 * strategic merge patch of a Secret or ConfigMap as the merge patch it is for maps, and drops the
 * write query parameters ({@code fieldManager}, {@code fieldValidation}) the mock would otherwise
 * silently ignore the write for, applies JSON merge patches by RFC 7396 (the mock merges arrays
 * instead of replacing them), and converts a Secret's {@code stringData} to {@code data} as an
 * API server does.
 */
final class LocalApiDispatcher extends Dispatcher {
  private static final Pattern SECRETS = Pattern.compile("^/api/v1/namespaces/[^/]+/secrets(/[^/]+)?$");
  private static final Set<String> WRITE_PARAMS = Set.of("fieldManager", "fieldValidation", "dryRun");
  private final Dispatcher crud;
  private final Map<String, String> documents;
  private final ConnectorTables tables;
  private final ConnectorWrites connectors;
  private final EventLists events;

  LocalApiDispatcher(Dispatcher crud, LocalAdmission admission) {
    this.crud = crud;
    this.tables = new ConnectorTables(crud);
    this.connectors = new ConnectorWrites(crud, admission);
    this.events = new EventLists(crud);
    Map<String, String> all = new java.util.HashMap<>(Discovery.documents());
    all.putAll(OpenApi.documents(ConnectorTables.crd(), ConnectorTables.providerCrd()));
    this.documents = Map.copyOf(all);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    String rawQuery = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
    Map<String, String> query = query(rawQuery);
    if ("GET".equals(request.getMethod())) {
      String doc = documents.get(bare);
      if (doc != null) {
        return json(200, doc);
      }
      if (bare.startsWith("/openapi/")) {
        return json(404, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}");
      }
      String accept = request.getHeader("Accept");
      if (accept != null && accept.contains("as=Table") && ConnectorTables.handles(bare) && !path.contains("watch=")) {
        return tables.table(request);
      }
      if (EventLists.handles(bare, query)) {
        return events.list(request, bare, rawQuery, query);
      }
      return crud.dispatch(request);
    }
    RecordedRequest normalised = normalise(request, bare, path);
    if (ConnectorWrites.handles(normalised.getMethod(), bare)) {
      return connectors.write(normalised, query);
    }
    String type = normalised.getHeader("Content-Type");
    if ("PATCH".equals(normalised.getMethod()) && type != null && type.startsWith("application/merge-patch+json")
        && !bare.endsWith("/status")) {
      return MergePatch.apply(crud, normalised);
    }
    return crud.dispatch(normalised);
  }

  private static RecordedRequest normalise(RecordedRequest request, String bare, String path) {
    String query = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
    StringBuilder kept = new StringBuilder();
    for (String param : query.split("&")) {
      String name = param.contains("=") ? param.substring(0, param.indexOf('=')) : param;
      if (!param.isEmpty() && !WRITE_PARAMS.contains(name)) {
        kept.append(kept.length() == 0 ? "?" : "&").append(param);
      }
    }
    Headers headers = request.getHeaders();
    String contentType = request.getHeader("Content-Type");
    if (contentType != null && contentType.startsWith("application/strategic-merge-patch+json")) {
      headers = headers.newBuilder().set("Content-Type", "application/merge-patch+json").build();
    }
    Buffer body = request.getBody();
    if (SECRETS.matcher(bare).matches() && body != null && body.size() > 0) {
      body = new Buffer(StringData.toData(body.getBytes()));
    }
    return new RecordedRequest(request.getHttpVersion(), request.method(), bare + kept, headers, body);
  }

  /** The query parameters, decoded (the first value of each). */
  static Map<String, String> query(String raw) {
    Map<String, String> params = new java.util.LinkedHashMap<>();
    for (String param : raw.split("&")) {
      if (param.isEmpty()) {
        continue;
      }
      int eq = param.indexOf('=');
      String name = java.net.URLDecoder.decode(eq < 0 ? param : param.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : java.net.URLDecoder.decode(param.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
      params.putIfAbsent(name, value);
    }
    return params;
  }

  static MockResponse json(int code, String body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
  }

  @Override
  public void shutdown() {
    crud.shutdown();
  }
}
