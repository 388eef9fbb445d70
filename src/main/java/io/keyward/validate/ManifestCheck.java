package io.keyward.validate;

import io.keyward.admission.Admission;
import io.keyward.admission.Cause;
import io.keyward.admission.ConnectorValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyward.api.v1alpha1.ApiConnectorSpec;
import io.keyward.api.v1alpha1.StoredSpec;
import io.keyward.provider.EffectiveSpec;
import io.keyward.provider.ProfileException;
import io.keyward.provider.ProviderCatalog;
import io.keyward.provider.ProviderProfile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code keyward validate}: every ApiConnector among the manifests judged by the same validator
 * local mode admits with ({@link ConnectorValidator}), plus the warnings of {@link ConnectorLint};
 * every ApiProvider by its CRD and read as the operator reads it; a connector naming a provider is
 * merged with the profile (built in, or an ApiProvider among the manifests) and the merged spec
 * judged and linted. Other kinds are skipped; documents that cannot be read are errors. Offline:
 * no cluster, no network.
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
    /** An ApiConnector or ApiProvider with no error. */
    VALID,
    /** An ApiConnector or ApiProvider with errors. */
    INVALID,
    /** Another kind: not checked. */
    SKIPPED,
    /** Not a Kubernetes object (a list, a scalar, no kind or apiVersion). */
    MALFORMED,
    /** The parser refused it. */
    UNREADABLE
  }

  static final String PROVIDER_KIND = "ApiProvider";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConnectorValidator validator;
  private final ConnectorValidator providerValidator;
  private final FieldValidation fieldValidation;

  public ManifestCheck(ConnectorValidator validator, FieldValidation fieldValidation) {
    this.validator = validator;
    this.providerValidator = ConnectorValidator.fromGeneratedProviderCrd();
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
    // ApiProviders first: the connectors among the same manifests are merged with the profiles they add
    Map<Document, Result> results = new java.util.IdentityHashMap<>();
    List<ProviderProfile> profiles = new ArrayList<>();
    for (Document d : documents) {
      if (isProvider(d)) {
        results.put(d, checkProvider(d, profiles));
      }
    }
    Set<String> declared = new HashSet<>();
    Map<String, Document> firstOfName = new java.util.HashMap<>();
    for (Document d : documents) {
      if (isProvider(d) && !d.name().isEmpty()) {
        declared.add(d.name()); // named, if unusable: its connectors are not told it is missing
        Document first = firstOfName.putIfAbsent(d.name(), d);
        if (first != null) {
          Result r = results.get(d);
          List<Problem> warnings = new ArrayList<>(r.warnings());
          warnings.add(new Problem("metadata.name", "DuplicateApiProvider", "another ApiProvider of this name is at "
              + first.file() + ":" + first.number() + "; the one applied last replaces it (this one is used here)"));
          results.put(d, new Result(d, r.verdict(), r.errors(), warnings));
        }
      }
    }
    // an ApiProvider that cannot be used still replaces the built-in of its name in the cluster: its
    // connectors get InvalidProfile there, so they are not checked against the built-in here
    Set<String> usable = new HashSet<>();
    profiles.forEach(p -> usable.add(p.name()));
    ProviderCatalog catalog = ProviderCatalog.builtIn().with(profiles);
    List<Result> ordered = new ArrayList<>();
    for (Document d : documents) {
      ordered.add(results.containsKey(d) ? results.get(d) : check(d, secrets, catalog, declared, usable));
    }
    return new Report(files.size(), ordered, secrets.namespaces());
  }

  /** An ApiProvider: the CRD's schema, then the profile it holds read as the operator reads it. */
  private Result checkProvider(Document d, List<ProviderProfile> profiles) {
    List<Problem> errors = new ArrayList<>();
    List<Problem> warnings = new ArrayList<>();
    Admission admission = admit(providerValidator, d, errors, warnings);
    if (admission.allowed()) {
      try {
        ProviderProfile profile = ProviderProfile.read(d.name(), ProviderProfile.API_PROVIDER,
            admission.pruned().path("spec"));
        JsonNode connector = admission.pruned().path("spec").path("connector");
        for (String field : ConnectorFields.unknown(validator, connector)) {
          errors.add(new Problem("spec.connector" + field.substring("spec".length()), "InvalidProfile",
              "an ApiConnector spec has no field " + field));
        }
        if (errors.isEmpty()) {
          profiles.add(profile);
        }
      } catch (ProfileException e) {
        errors.add(problem(e, "spec"));
      }
    }
    return new Result(d, errors.isEmpty() ? Verdict.VALID : Verdict.INVALID, errors, warnings);
  }

  /** A profile's failure as a problem of the field its message names, without naming it twice. */
  static Problem problem(ProfileException e, String otherwise) {
    String field = fieldOf(e.getMessage(), otherwise);
    String message = e.getMessage().startsWith(field + ": ") ? e.getMessage().substring(field.length() + 2)
        : e.getMessage();
    return new Problem(field, e.reason(), message);
  }

  /** The field a profile message starts with ({@code spec.parameters.shop: ...}), after any {@code ApiProvider x: }. */
  static String fieldOf(String message, String otherwise) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|: )((?:spec|metadata)\\.[A-Za-z0-9_.\\[\\]-]+)[: ]")
        .matcher(message);
    return m.find() ? m.group(1) : otherwise;
  }

  /** The API server's judgement of the document: its unknown fields (as --field-validation says) and its errors. */
  private Admission admit(ConnectorValidator by, Document d, List<Problem> errors, List<Problem> warnings) {
    Admission admission = by.admit(d.object(), Optional.empty());
    unknownFields(admission, errors, warnings);
    for (Cause c : admission.errors()) {
      errors.add(new Problem(c.field(), c.type(), c.message()));
    }
    return admission;
  }

  private void unknownFields(Admission admission, List<Problem> errors, List<Problem> warnings) {
    for (String warning : admission.warnings()) {
      Problem unknown = new Problem(Admission.unknownField(warning).orElse("<nil>"), "UnknownField", warning);
      switch (fieldValidation) {
        case STRICT -> errors.add(unknown);
        case WARN -> warnings.add(unknown);
        case IGNORE -> { }
      }
    }
  }

  private Result check(Document d, SecretInventory secrets, ProviderCatalog catalog, Set<String> declared,
      Set<String> usable) {
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
    List<Problem> errors = new ArrayList<>();
    List<Problem> warnings = new ArrayList<>();
    Admission admission = admit(validator, d, errors, warnings);
    if (admission.allowed()) {
      JsonNode linted = admission.pruned();
      String provider = admission.pruned().path("spec").path("provider").asText("");
      if (!provider.isEmpty() && declared.contains(provider) && !usable.contains(provider)) {
        linted = null; // named by a broken ApiProvider among the manifests, reported on itself
      } else if (!provider.isEmpty()) {
        try {
          ApiConnectorSpec spec = StoredSpec.read(admission.pruned().path("spec"));
          // a connector of generateName has no name yet: a placeholder keeps the merged spec judgeable
          EffectiveSpec merged = EffectiveSpec.resolve(spec, d.name().isEmpty() ? "generated" : d.name(),
              d.namespace() == null ? "default" : d.namespace(), catalog);
          ObjectNode object = admission.pruned().deepCopy();
          object.set("spec", JSON.valueToTree(merged.spec()));
          linted = object;
        } catch (ProfileException e) {
          boolean unknown = "UnknownProvider".equals(e.reason());
          if (unknown && !declared.contains(provider)) {
            warnings.add(new Problem("spec.provider", e.reason(), "no built-in profile or ApiProvider among these"
                + " manifests is named " + provider + ": the cluster must have an ApiProvider of that name"));
          } else if (!unknown) {
            errors.add(problem(e, "spec.provider"));
          } // else: an ApiProvider among the manifests that cannot be used, reported on itself
          linted = null;
        }
      }
      if (linted != null) {
        warnings.addAll(ConnectorLint.warnings(linted, secrets));
      }
    }
    return new Result(d, errors.isEmpty() ? Verdict.VALID : Verdict.INVALID, errors, warnings);
  }

  private boolean isProvider(Document d) {
    return d.unreadable() == null && d.object().isObject() && PROVIDER_KIND.equals(d.kind())
        && d.apiVersion().startsWith(providerValidator.group() + "/");
  }

  /** An object of Keyward's group or of the connector kind: judged (a wrong version or kind is an error). */
  private boolean isConnector(Document d) {
    return d.kind().equals(validator.kind()) || d.apiVersion().startsWith(validator.group() + "/");
  }
}
