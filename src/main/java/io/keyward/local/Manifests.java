package io.keyward.local;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads manifests (files or directories of multi-document YAML or JSON, {@code List} kinds
 * included) one document at a time, and applies every document the API server takes, in an order
 * that works: namespaces, then Secrets and ConfigMaps, then everything else, then ApiConnectors.
 * A document that cannot be read, is not a kind local mode serves, or is refused by the server is
 * reported ({@link Refusal}) and the others are applied all the same.
 *
 * <p>Documents of one rank are written concurrently ({@link #IN_FLIGHT} requests at a time) as
 * {@code kubectl apply} would write them, through the same API and admission as kubectl
 * ({@code fieldValidation=Strict}); a document that names an object an earlier one named is
 * written after it, so the last one wins.
 */
final class Manifests {
  static final int IN_FLIGHT = 8;
  private static final Pattern DOCUMENT_START = Pattern.compile("^---(\\s.*)?$");
  private static final Pattern DOCUMENT_END = Pattern.compile("^\\.\\.\\.\\s*$");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String QUERY = "?fieldManager=keyward-local&fieldValidation=Strict";

  private Manifests() {}

  /** One document of a manifest file: its object, or why it cannot be applied. */
  record Document(Path file, int index, ObjectNode object, String problem) {
    /** {@code Kind namespace/name}, as far as the document says. */
    String describe() {
      if (object == null) {
        return "";
      }
      JsonNode metadata = object.path("metadata");
      String name = metadata.path("name").asText(metadata.path("generateName").asText(""));
      String namespace = metadata.path("namespace").asText("");
      String kind = object.path("kind").asText("");
      if (name.isEmpty()) {
        return kind.isEmpty() ? "" : kind + " (no name)";
      }
      return ((kind.isEmpty() ? "" : kind + " ") + (namespace.isEmpty() ? "" : namespace + "/") + name).strip();
    }
  }

  /** A document that was not applied, and why (never its content). */
  record Refusal(Path file, int index, String object, List<String> reasons) {
    /** {@code file:document: Kind namespace/name: field: message}, one line per reason. */
    List<String> lines() {
      String where = file + ":" + index + ": " + (object.isEmpty() ? "" : object + ": ");
      return reasons.stream().map(r -> where + r).toList();
    }
  }

  /** What applying did. */
  record Report(int applied, List<Refusal> refused, Duration took) {
    static Report empty() {
      return new Report(0, List.of(), Duration.ZERO);
    }

    List<String> lines() {
      return refused.stream().flatMap(r -> r.lines().stream()).toList();
    }
  }

  /** Every document of {@code paths}, in file order; fails only when a path does not exist. */
  static List<Document> read(List<Path> paths) {
    List<Document> documents = new ArrayList<>();
    for (Path path : paths) {
      for (Path file : files(path)) {
        documents.addAll(read(file));
      }
    }
    return documents;
  }

  static List<Document> read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (CharacterCodingException e) {
      return List.of(new Document(file, 1, null, "cannot be read: not UTF-8 text"));
    } catch (IOException e) {
      return List.of(new Document(file, 1, null, "cannot be read (" + e.getClass().getSimpleName() + ")"));
    }
    List<Document> documents = new ArrayList<>();
    int index = 0;
    for (Chunk chunk : chunks(text, file.toString().endsWith(".json"))) {
      JsonNode parsed;
      try {
        parsed = (file.toString().endsWith(".json") ? Serialization.jsonMapper() : YAML).readTree(chunk.text);
      } catch (JacksonException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? "" : "line " + (chunk.firstLine + at.getLineNr() - 1)
            + ", column " + at.getColumnNr() + ": ";
        documents.add(new Document(file, ++index, null, where + "not valid " + (file.toString().endsWith(".json")
            ? "JSON" : "YAML")));
        continue;
      } catch (IOException e) {
        documents.add(new Document(file, ++index, null, "cannot be read (" + e.getClass().getSimpleName() + ")"));
        continue;
      }
      if (parsed == null || parsed.isMissingNode() || parsed.isNull()) {
        continue; // comments only
      }
      index++;
      if (!(parsed instanceof ObjectNode object)) {
        documents.add(new Document(file, index, null, "not a Kubernetes object (a YAML mapping with apiVersion and kind)"));
      } else if (object.path("kind").asText("").endsWith("List") && object.path("items").isArray()) {
        for (JsonNode item : object.get("items")) {
          documents.add(item instanceof ObjectNode o ? check(file, index, o)
              : new Document(file, index, null, "a List item that is not a Kubernetes object"));
        }
      } else {
        documents.add(check(file, index, object));
      }
    }
    return documents;
  }

  private static Document check(Path file, int index, ObjectNode object) {
    String apiVersion = object.path("apiVersion").asText("");
    String kind = object.path("kind").asText("");
    if (apiVersion.isEmpty() || kind.isEmpty()) {
      return new Document(file, index, object, "not a Kubernetes object: "
          + (apiVersion.isEmpty() && kind.isEmpty() ? "apiVersion and kind are" : apiVersion.isEmpty()
              ? "apiVersion is" : "kind is") + " not set");
    }
    Optional<Discovery.Served> served = Discovery.find(apiVersion, kind);
    if (served.isEmpty()) {
      return new Document(file, index, object, "no matches for kind " + KubeStatus.quote(kind) + " in version "
          + KubeStatus.quote(apiVersion) + " (local mode serves " + String.join(", ",
              Discovery.SERVED.stream().filter(s -> !s.kind().equals("Event")).map(Discovery.Served::kind).toList())
          + ")");
    }
    if (!(object.get("metadata") instanceof ObjectNode metadata)) {
      return new Document(file, index, object, "metadata.name: Required value: name or generateName is required");
    }
    if (metadata.path("name").asText("").isEmpty() && metadata.path("generateName").asText("").isEmpty()) {
      return new Document(file, index, object, "metadata.name: Required value: name or generateName is required");
    }
    if (served.get().namespaced() && metadata.path("namespace").asText("").isEmpty()) {
      ((ObjectNode) metadata).put("namespace", "default");
    }
    return new Document(file, index, object, null);
  }

  /** A YAML document's text and the line of the file it starts on. */
  private record Chunk(String text, int firstLine) {}

  private static List<Chunk> chunks(String text, boolean json) {
    if (json) {
      return List.of(new Chunk(text, 1));
    }
    List<Chunk> chunks = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int first = 1;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      boolean start = DOCUMENT_START.matcher(line).matches();
      if (start || DOCUMENT_END.matcher(line).matches()) {
        chunks.add(new Chunk(current.toString(), first));
        current.setLength(0);
        if (start && line.length() > 3) {
          current.append(line.substring(3)).append('\n'); // "--- {a: b}": content on the marker's line
          first = i + 1;
        } else {
          first = i + 2;
        }
      } else {
        current.append(line).append('\n');
      }
    }
    chunks.add(new Chunk(current.toString(), first));
    return chunks;
  }

  /**
   * Applies every readable document (creating the namespaces they name), and reports the others.
   * Fails only when the API server cannot be reached.
   */
  static Report apply(KubernetesClient client, List<Document> documents) {
    long start = System.nanoTime();
    List<Refusal> refused = new ArrayList<>();
    List<Document> valid = new ArrayList<>();
    for (Document d : documents) {
      if (d.problem() == null) {
        valid.add(d);
      } else {
        refused.add(new Refusal(d.file(), d.index(), d.describe(), List.of(d.problem())));
      }
    }
    valid.sort(Comparator.comparingInt(Manifests::rank));
    Writer writer = new Writer(client);
    int applied = 0;
    Set<String> namespaces = new LinkedHashSet<>();
    boolean created = false;
    for (int rank = 0; rank <= 3; rank++) {
      final int r = rank;
      List<Document> ofRank = valid.stream().filter(d -> rank(d) == r).toList();
      if (rank > 0 && !created) {
        for (Document d : valid) {
          String ns = d.object().path("metadata").path("namespace").asText("");
          if (!ns.isEmpty()) {
            namespaces.add(ns);
          }
        }
        writer.ensureNamespaces(namespaces);
        created = true;
      }
      for (List<Document> wave : waves(ofRank)) {
        for (Outcome outcome : writer.writeAll(wave)) {
          if (outcome.reasons().isEmpty()) {
            applied++;
          } else {
            refused.add(new Refusal(outcome.document().file(), outcome.document().index(), outcome.document().describe(),
                outcome.reasons()));
          }
        }
      }
    }
    refused.sort(Comparator.comparing((Refusal f) -> f.file().toString()).thenComparingInt(Refusal::index));
    return new Report(applied, List.copyOf(refused), Duration.ofNanos(System.nanoTime() - start));
  }

  /** Splits documents so that no two in a wave name the same object; later ones in later waves. */
  private static List<List<Document>> waves(List<Document> documents) {
    List<List<Document>> waves = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (Document d : documents) {
      JsonNode metadata = d.object().path("metadata");
      String name = metadata.path("name").asText("");
      int wave = name.isEmpty() ? 0 : seen.merge(d.object().path("apiVersion").asText() + "/" + d.object().path("kind")
          .asText() + "/" + metadata.path("namespace").asText("") + "/" + name, 1, Integer::sum) - 1;
      while (waves.size() <= wave) {
        waves.add(new ArrayList<>());
      }
      waves.get(wave).add(d);
    }
    return waves;
  }

  private record Outcome(Document document, List<String> reasons) {}

  /** Writes through the client's HTTP connection to the API server, {@link #IN_FLIGHT} at a time. */
  private static final class Writer {
    private final HttpClient http;
    private final String base;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);

    Writer(KubernetesClient client) {
      this.http = client.getHttpClient();
      this.base = client.getMasterUrl().toString().replaceAll("/$", "");
    }

    void ensureNamespaces(Set<String> names) {
      List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
      for (String name : names) {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":" + KubeStatus.quote(name) + "}}";
        pending.add(send(http.newHttpRequestBuilder().uri(base + "/api/v1/namespaces" + QUERY)
            .post("application/json", body).build()));
      }
      pending.forEach(Writer::join); // 409: it is there already
    }

    List<Outcome> writeAll(List<Document> documents) {
      List<CompletableFuture<Outcome>> pending = new ArrayList<>();
      for (Document d : documents) {
        pending.add(write(d));
      }
      return pending.stream().map(Writer::join).toList();
    }

    /** Create; if it exists, replace it (what kubectl apply would leave). */
    private CompletableFuture<Outcome> write(Document d) {
      Discovery.Served served = Discovery.find(d.object().path("apiVersion").asText(), d.object().path("kind").asText())
          .orElseThrow();
      String namespace = d.object().path("metadata").path("namespace").asText("");
      String collection = base + served.collection(namespace);
      String body = d.object().toString();
      return send(http.newHttpRequestBuilder().uri(collection + QUERY).post("application/json", body).build())
          .thenCompose(created -> {
            if (created.code() != 409 || d.object().path("metadata").path("name").asText("").isEmpty()) {
              return CompletableFuture.completedFuture(outcome(d, created));
            }
            String item = collection + "/" + d.object().path("metadata").path("name").asText();
            return send(http.newHttpRequestBuilder().uri(item).build()).thenCompose(current -> {
              if (current.code() != 200) {
                return CompletableFuture.completedFuture(outcome(d, current));
              }
              ObjectNode replacement = d.object().deepCopy();
              ((ObjectNode) replacement.get("metadata")).put("resourceVersion", resourceVersion(current.body()));
              return send(http.newHttpRequestBuilder().uri(item + QUERY).put("application/json", replacement.toString())
                  .build()).thenApply(replaced -> outcome(d, replaced));
            });
          });
    }

    private CompletableFuture<HttpResponse<String>> send(HttpRequest request) {
      inFlight.acquireUninterruptibly();
      CompletableFuture<HttpResponse<String>> sent;
      try {
        sent = http.sendAsync(request, String.class);
      } catch (RuntimeException e) {
        inFlight.release();
        throw e;
      }
      return sent.whenComplete((response, failure) -> inFlight.release());
    }

    private static <T> T join(CompletableFuture<T> future) {
      try {
        return future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LocalModeException("interrupted while applying the manifests");
      } catch (ExecutionException e) {
        throw new LocalModeException("could not reach the embedded API server while applying the manifests ("
            + e.getCause().getClass().getSimpleName() + ")");
      }
    }

    private static String resourceVersion(String body) {
      try {
        return Serialization.jsonMapper().readTree(body).path("metadata").path("resourceVersion").asText("");
      } catch (IOException e) {
        return "";
      }
    }
  }

  /** Applied, or refused with the server's causes ({@code field: message}) or its message. */
  private static Outcome outcome(Document d, HttpResponse<String> response) {
    if (response.code() >= 200 && response.code() < 300) {
      return new Outcome(d, List.of());
    }
    List<String> reasons = new ArrayList<>();
    try {
      JsonNode status = Serialization.jsonMapper().readTree(response.body() == null ? "" : response.body());
      for (JsonNode cause : status.path("details").path("causes")) {
        String field = cause.path("field").asText("");
        reasons.add((field.isEmpty() ? "" : field + ": ") + cause.path("message").asText(""));
      }
      if (reasons.isEmpty() && !status.path("message").asText("").isEmpty()) {
        reasons.add(status.path("message").asText());
      }
    } catch (IOException | RuntimeException e) {
      // not a Status: the code alone says it
    }
    if (reasons.isEmpty()) {
      reasons.add("refused by the API server (HTTP " + response.code() + ")");
    }
    return new Outcome(d, reasons);
  }

  private static List<Path> files(Path path) {
    if (!Files.exists(path)) {
      throw new LocalModeException(path + " does not exist (-f)");
    }
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> walk = Files.walk(path)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new LocalModeException(path + " cannot be read: " + e.getMessage());
    }
  }

  private static int rank(Document d) {
    return switch (d.object().path("kind").asText()) {
      case "Namespace" -> 0;
      case "Secret", "ConfigMap" -> 1;
      case "ApiConnector" -> 3;
      default -> 2;
    };
  }
}
