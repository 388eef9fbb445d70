package io.keyward.validate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of {@code keyward validate}, as lines for people and CI logs
 * ({@code file:document: Kind/name: field: message}) or as JSON for machines.
 */
public final class Report {
  private final int files;
  private final List<ManifestCheck.Result> results;
  private final java.util.SortedSet<String> secretNamespaces;

  Report(int files, List<ManifestCheck.Result> results, java.util.SortedSet<String> secretNamespaces) {
    this.files = files;
    this.results = List.copyOf(results);
    this.secretNamespaces = secretNamespaces;
  }

  public List<ManifestCheck.Result> results() {
    return results;
  }

  public int errors() {
    return results.stream().mapToInt(r -> r.errors().size()).sum();
  }

  public int warnings() {
    return results.stream().mapToInt(r -> r.warnings().size()).sum();
  }

  /** 0 when nothing is wrong; 1 on any error, or on any warning with {@code strict}. */
  public int exitCode(boolean strict) {
    return errors() > 0 || (strict && warnings() > 0) ? 1 : 0;
  }

  private long count(ManifestCheck.Verdict verdict) {
    return results.stream().filter(r -> r.verdict() == verdict).count();
  }

  private long judged(boolean providers) {
    return results.stream().filter(r -> r.verdict() == ManifestCheck.Verdict.VALID
        || r.verdict() == ManifestCheck.Verdict.INVALID)
        .filter(r -> ManifestCheck.PROVIDER_KIND.equals(r.document().kind()) == providers).count();
  }

  private long connectors() {
    return judged(false);
  }

  private long providers() {
    return judged(true);
  }

  /** One line per problem, then a summary line. */
  public String text() {
    StringBuilder out = new StringBuilder();
    for (ManifestCheck.Result r : results) {
      Document d = r.document();
      String where = r.file() + ":" + d.number() + ": ";
      String what = "";
      if (r.verdict() == ManifestCheck.Verdict.VALID || r.verdict() == ManifestCheck.Verdict.INVALID) {
        what = d.kind() + "/" + (d.name().isEmpty() ? "(no name)" : d.name()) + ": ";
      }
      for (Problem p : r.errors()) {
        boolean document = r.verdict() == ManifestCheck.Verdict.UNREADABLE || r.verdict() == ManifestCheck.Verdict.MALFORMED;
        out.append(where).append(what).append(document ? "" : p.field() + ": ").append(p.message()).append('\n');
      }
      for (Problem p : r.warnings()) {
        out.append(where).append(what).append(p.field()).append(": warning: ").append(p.message()).append('\n');
      }
    }
    out.append(summary()).append('\n');
    return out.toString();
  }

  private String summary() {
    long connectors = connectors();
    long invalid = count(ManifestCheck.Verdict.INVALID) + count(ManifestCheck.Verdict.MALFORMED)
        + count(ManifestCheck.Verdict.UNREADABLE);
    StringBuilder s = new StringBuilder("keyward validate: ")
        .append(plural(connectors, "ApiConnector"));
    if (providers() > 0) {
      s.append(", ").append(plural(providers(), "ApiProvider"));
    }
    s.append(" in ").append(plural(files, "file"));
    if (invalid == 0) {
      s.append(", all valid");
    } else {
      s.append(": ").append(plural(invalid, "invalid document")).append(", ").append(plural(errors(), "error"));
    }
    if (warnings() > 0) {
      s.append(", ").append(plural(warnings(), "warning"));
    }
    long skipped = count(ManifestCheck.Verdict.SKIPPED);
    if (skipped > 0) {
      s.append("; ").append(plural(skipped, "other document")).append(" skipped");
    }
    return s.toString();
  }

  /** The report as JSON: a summary and one entry per document (skipped ones say why). */
  public ObjectNode json() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("valid", errors() == 0);
    ObjectNode summary = root.putObject("summary");
    summary.put("files", files);
    summary.put("documents", results.size());
    summary.put("connectors", connectors());
    summary.put("providers", providers());
    summary.put("invalid", count(ManifestCheck.Verdict.INVALID));
    summary.put("malformed", count(ManifestCheck.Verdict.MALFORMED));
    summary.put("unreadable", count(ManifestCheck.Verdict.UNREADABLE));
    summary.put("skipped", count(ManifestCheck.Verdict.SKIPPED));
    summary.put("errors", errors());
    summary.put("warnings", warnings());
    ArrayNode checked = summary.putArray("secretReferencesCheckedIn");
    secretNamespaces.forEach(checked::add);
    Map<String, Long> skippedKinds = new TreeMap<>();
    ArrayNode documents = root.putArray("documents");
    for (ManifestCheck.Result r : results) {
      ObjectNode d = documents.addObject();
      Document doc = r.document();
      d.put("file", doc.file());
      d.put("document", doc.number());
      if (doc.item() != null) {
        d.put("item", doc.item());
      }
      if (doc.object() != null && doc.object().isObject()) {
        d.put("apiVersion", doc.apiVersion());
        d.put("kind", doc.kind());
        if (doc.namespace() != null) {
          d.put("namespace", doc.namespace());
        }
        d.put("name", doc.name());
      }
      d.put("result", r.verdict().name().toLowerCase(java.util.Locale.ROOT));
      if (r.verdict() == ManifestCheck.Verdict.SKIPPED) {
        d.put("reason", "not an ApiConnector or ApiProvider: keyward validate checks keyward.io objects only");
        skippedKinds.merge(doc.kind(), 1L, Long::sum);
      }
      if (doc.unreadable() != null) {
        d.put("line", doc.unreadable().line());
        d.put("column", doc.unreadable().column());
      }
      problems(d.putArray("errors"), r.errors());
      problems(d.putArray("warnings"), r.warnings());
    }
    ObjectNode kinds = summary.putObject("skippedKinds");
    skippedKinds.forEach(kinds::put);
    return root;
  }

  private static void problems(ArrayNode into, List<Problem> problems) {
    for (Problem p : problems) {
      ObjectNode o = into.addObject();
      o.put("field", p.field());
      o.put("reason", p.reason());
      o.put("message", p.message());
    }
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
