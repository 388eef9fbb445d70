package io.keyward.validate;

import io.keyward.admission.Admission;
import io.keyward.admission.Cause;
import io.keyward.admission.ConnectorValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code keyward validate}: every ApiConnector among the manifests judged by the same validator
 * local mode admits with ({@link ConnectorValidator}), plus the warnings of {@link ConnectorLint};
 * other kinds are skipped; documents that cannot be read are errors. Offline: no cluster, no
 * network.
 */
public final class ManifestCheck {
  /** What to do with fields the CRD does not know, as the API server's {@code fieldValidation}. */
  public enum FieldValidation {
    /** An error, as {@code kubectl apply} (which sends Strict) gets one. */
    STRICT,
    /** A warning. */
    WARN,
    /** Dropped without a word. */
    IGNORE;

    public static FieldValidation parse(String value) {
      try {
        return valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + value + "' is not one of Strict, Warn, Ignore");
      }
    }
  }

  /** One document and the verdict on it. */
  public record Result(Document document, Verdict verdict, List<Problem> errors, List<Problem> warnings) {
    String file() {
      return document.file();
    }
  }

  /** What became of a document. */
  public enum Verdict {
    /** An ApiConnector with no error. */
    VALID,
    /** An ApiConnector with errors. */
    INVALID,
    /** Another kind: not checked. */
    SKIPPED,
    /** Not a Kubernetes object (a list, a scalar, no kind or apiVersion). */
    MALFORMED,
    /** The parser refused it. */
    UNREADABLE
  }

  private final ConnectorValidator validator;
  private final FieldValidation fieldValidation;

  public ManifestCheck(ConnectorValidator validator, FieldValidation fieldValidation) {
    this.validator = validator;
    this.fieldValidation = fieldValidation;
  }

  /** Checks the manifests under {@code paths} ({@code -} for standard input). */
  public Report check(List<String> paths, InputStream stdin) {
    List<Path> files = ManifestReader.files(paths);
    List<Document> documents = new ArrayList<>();
    for (Path file : files) {
      try {
        documents.addAll(ManifestReader.read(file, stdin));
      } catch (IOException e) {
        throw new UncheckedIOException((file == null ? "-" : file.toString()) + " cannot be read", e);
      }
    }
    SecretInventory secrets = SecretInventory.of(documents);
    List<Result> results = new ArrayList<>();
    for (Document d : documents) {
      results.add(check(d, secrets));
    }
    return new Report(files.size(), results, secrets.namespaces());
  }

  private Result check(Document d, SecretInventory secrets) {
    if (d.unreadable() != null) {
      Document.Unreadable u = d.unreadable();
      return new Result(d, Verdict.UNREADABLE, List.of(new Problem("<nil>", "Unreadable", "cannot parse " + u.format()
          + " at line " + u.line() + ", column " + u.column() + ": " + u.problem())), List.of());
    }
    if (!d.object().isObject()) {
      return new Result(d, Verdict.MALFORMED, List.of(new Problem("<nil>", "NotAnObject",
          "not a Kubernetes object (a YAML or JSON " + (d.object().isArray() ? "list" : "scalar") + ")")), List.of());
    }
    if (d.kind().isEmpty() || d.apiVersion().isEmpty()) {
      return new Result(d, Verdict.MALFORMED, List.of(new Problem("<nil>", "NotAnObject",
          d.kind().isEmpty() ? "Object 'Kind' is missing" : "Object 'apiVersion' is missing")), List.of());
    }
    if (!isConnector(d)) {
      return new Result(d, Verdict.SKIPPED, List.of(), List.of());
    }
    Admission admission = validator.admit(d.object(), Optional.empty());
    List<Problem> errors = new ArrayList<>();
    List<Problem> warnings = new ArrayList<>();
    for (String warning : admission.warnings()) {
      Problem unknown = new Problem(Admission.unknownField(warning).orElse("<nil>"), "UnknownField", warning);
      switch (fieldValidation) {
        case STRICT -> errors.add(unknown);
        case WARN -> warnings.add(unknown);
        case IGNORE -> { }
      }
    }
    for (Cause c : admission.errors()) {
      errors.add(new Problem(c.field(), c.type(), c.message()));
    }
    if (admission.allowed()) {
      warnings.addAll(ConnectorLint.warnings(admission.pruned(), secrets));
    }
    return new Result(d, errors.isEmpty() ? Verdict.VALID : Verdict.INVALID, errors, warnings);
  }

  /** An object of Keyward's group or of the connector kind: judged (a wrong version or kind is an error). */
  private boolean isConnector(Document d) {
    return d.kind().equals(validator.kind()) || d.apiVersion().startsWith(validator.group() + "/");
  }
}
