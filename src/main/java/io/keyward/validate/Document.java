package io.keyward.validate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One document of a manifest file: its file, its number in the file (from 1, counting documents
 * that hold something), the index of the item when it came out of a {@code List}, and either the
 * object or why it could not be read.
 */
record Document(String file, int number, Integer item, JsonNode object, Unreadable unreadable) {
  /** A document the parser refused: where (line and column in the file, from 1) and the parser's problem, never the content. */
  record Unreadable(String format, int line, int column, String problem) {}

  static Document of(String file, int number, Integer item, JsonNode object) {
    return new Document(file, number, item, object, null);
  }

  static Document unreadable(String file, int number, Unreadable why) {
    return new Document(file, number, null, null, why);
  }

  String kind() {
    return object == null ? "" : object.path("kind").asText("");
  }

  String apiVersion() {
    return object == null ? "" : object.path("apiVersion").asText("");
  }

  String name() {
    return object == null ? "" : object.path("metadata").path("name").asText("");
  }

  /** The namespace, or {@code null} where the manifest names none. */
  String namespace() {
    JsonNode ns = object == null ? null : object.path("metadata").get("namespace");
    return ns == null || !ns.isTextual() || ns.textValue().isEmpty() ? null : ns.textValue();
  }
}
