package io.keyward.validate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads manifests as {@code kubectl apply -f} does: files, directories (walked, {@code .yaml},
 * {@code .yml} and {@code .json} files, sorted), or {@code -} for standard input; multi-document
 * YAML split on {@code ---} lines (as apimachinery's YAML reader splits: {@code ---} followed by
 * nothing or a comment), a JSON file as a stream of objects, and the items of a {@code List} as
 * documents of their own. A document that cannot be parsed is reported with the parser's line and
 * column in the file and its problem, never with the content, and the other documents are read
 * all the same (a JSON file cannot be resumed after an error).
 */
final class ManifestReader {
  private static final Pattern SEPARATOR = Pattern.compile("^---\\s*(#.*)?$");
  private static final Pattern LONG_QUOTE = Pattern.compile("'[^']{9,}'");
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final YAMLFactory YAML_FACTORY = new YAMLFactory();

  private ManifestReader() {}

  /** The files named by {@code paths}; a missing path is an {@link IllegalArgumentException}. */
  static List<Path> files(List<String> paths) {
    List<Path> files = new ArrayList<>();
    for (String p : paths) {
      if (p.equals("-")) {
        files.add(null);
        continue;
      }
      Path path = Path.of(p);
      if (!Files.exists(path)) {
        throw new IllegalArgumentException(p + " does not exist");
      }
      if (!Files.isDirectory(path)) {
        files.add(path);
        continue;
      }
      try (Stream<Path> walk = Files.walk(path)) {
        walk.filter(Files::isRegularFile)
            .filter(f -> f.getFileName().toString().matches(".*\\.(ya?ml|json)$"))
            .filter(f -> !f.getFileName().toString().matches("(?i)kustomization\\.ya?ml"))
            .sorted()
            .forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(p + " cannot be read", e);
      }
    }
    return files;
  }

  /** The documents of one file ({@code null}: standard input). */
  static List<Document> read(Path file, InputStream stdin) throws IOException {
    String name = file == null ? "-" : file.toString();
    String text = file == null ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(file);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<Document> documents = new ArrayList<>();
    String trimmed = text.stripLeading();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      readJson(name, text, documents);
    } else {
      readYaml(name, text, documents);
    }
    return documents;
  }

  private static void readJson(String name, String text, List<Document> documents) {
    try (JsonParser parser = JSON.createParser(text)) {
      while (true) {
        JsonNode node;
        try {
          node = JSON.readTree(parser);
        } catch (JsonProcessingException e) {
          documents.add(Document.unreadable(name, documents.size() + 1, new Document.Unreadable("JSON",
              line(e), column(e), "not valid JSON")));
          return;
        }
        if (node == null) {
          return;
        }
        add(name, documents.size() + 1, node, documents);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void readYaml(String name, String text, List<Document> documents) {
    String[] lines = text.split("\n", -1);
    StringBuilder chunk = new StringBuilder();
    int chunkStart = 0; // lines before the chunk
    int[] number = {0};
    for (int i = 0; i <= lines.length; i++) {
      boolean end = i == lines.length;
      if (end || SEPARATOR.matcher(stripCr(lines[i])).matches()) {
        readYamlChunk(name, chunk.toString(), chunkStart, number, documents);
        chunk.setLength(0);
        chunkStart = i + 1;
      } else {
        chunk.append(lines[i]).append('\n');
      }
    }
  }

  private static void readYamlChunk(String name, String chunk, int lineOffset, int[] number, List<Document> documents) {
    if (chunk.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
      return;
    }
    try (JsonParser parser = YAML_FACTORY.createParser(chunk)) {
      while (true) {
        JsonNode node;
        try {
          node = YAML.readTree(parser);
        } catch (JsonProcessingException e) {
          number[0]++;
          documents.add(Document.unreadable(name, number[0], yamlProblem(e, lineOffset)));
          return;
        }
        if (node == null) {
          return;
        }
        if (node.isNull() || node.isMissingNode()) {
          continue;
        }
        number[0]++;
        add(name, number[0], node, documents);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A document, or the items of a {@code List} (any kind ending in List with an items list). */
  private static void add(String name, int number, JsonNode node, List<Document> documents) {
    if (node.isObject() && node.path("kind").asText("").endsWith("List") && node.path("items").isArray()) {
      for (int i = 0; i < node.get("items").size(); i++) {
        documents.add(Document.of(name, number, i, node.get("items").get(i)));
      }
      return;
    }
    documents.add(Document.of(name, number, null, node));
  }

  /** SnakeYAML's problem and where it is; quoted passages longer than a few characters are left out (content). */
  @SuppressWarnings("deprecation")
  private static Document.Unreadable yamlProblem(JsonProcessingException e, int lineOffset) {
    if (e instanceof com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException m
        && m.getProblemMark() != null) {
      String problem = m.getProblem() == null ? "not valid YAML" : LONG_QUOTE.matcher(m.getProblem()).replaceAll("'…'");
      return new Document.Unreadable("YAML", lineOffset + m.getProblemMark().getLine() + 1,
          m.getProblemMark().getColumn() + 1, problem);
    }
    return new Document.Unreadable("YAML", lineOffset + line(e), column(e), "not valid YAML");
  }

  private static int line(JsonProcessingException e) {
    return e.getLocation() == null ? 0 : e.getLocation().getLineNr();
  }

  private static int column(JsonProcessingException e) {
    return e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
  }

  private static String stripCr(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }
}
