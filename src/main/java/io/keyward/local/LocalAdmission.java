package io.keyward.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What local mode's embedded API server asks before it stores an ApiConnector, as a real API
 * server asks the CRD's schema and rules: every create (POST), update (PUT) and patch of
 * {@code apiconnectors.keyward.io} (JSON merge patch or JSON patch, applied to the stored object
 * first) is shown whole, with the stored object it replaces. Status writes ({@code /status}) and
 * deletes are not shown.
 *
 * <p>An admitted object may come back pruned: whatever the admission dropped from it is what the
 * server reports as unknown fields, as {@code fieldValidation} asks (Strict: refused; Warn, the
 * default: a {@code Warning} header per field; Ignore: silently dropped). So the admission does
 * not decide about unknown fields itself and need not warn about them (a warning equal to one
 * local mode derives is sent once).
 *
 * <p>{@link #bySchema()} is the default. A validator that answers errors, warnings and the pruned
 * object plugs in with one lambda, e.g.
 * <pre>{@code
 * LocalAdmission admission = (object, old) -> {
 *   var a = validator.admit(object, old);
 *   return a.errors().isEmpty() ? Verdict.admitted(a.pruned(), a.warnings())
 *       : Verdict.refused(statusOf(object, a.errors()), a.pruned());
 * };
 * }</pre>
 * passed as the last argument of {@link LocalMode.Options}.
 */
@FunctionalInterface
public interface LocalAdmission {
  /**
   * @param object the object as it would be stored (a patch already applied); the namespace is set
   * @param old the stored object it replaces (update, patch), empty for a create
   * @return admitted (possibly pruned, with warnings) or refused with a kube {@code Status}
   */
  Verdict admit(JsonNode object, Optional<JsonNode> old);

  /**
   * Judges each ApiConnector as kube-apiserver judges it: the generated CRD's schema and CEL rules
   * ({@link io.keyward.admission.ConnectorValidator}). What local mode does by default.
   */
  static LocalAdmission bySchema() {
    var validator = io.keyward.admission.ConnectorValidator.fromGeneratedCrd();
    return (object, old) -> {
      var admission = validator.admit(object, old);
      return admission.allowed() ? Verdict.admitted(admission.pruned(), admission.warnings())
          : Verdict.refused(io.keyward.admission.ConnectorValidator.invalidStatus(
              object.path("metadata").path("name").asText(""), admission.errors()), admission.pruned());
    };
  }

  /** Admits everything as it is: for tests that store what a cluster would refuse. */
  static LocalAdmission admitAll() {
    return (object, old) -> Verdict.admitted(object, List.of());
  }

  /** The answer: {@link Admitted} or {@link Refused}. */
  sealed interface Verdict permits Admitted, Refused {
    /**
     * @param stored what to store (the object, or the object with unknown fields pruned)
     * @param warnings each sent as a {@code Warning: 299 - "..."} header, the text without quotes
     */
    static Verdict admitted(JsonNode stored, List<String> warnings) {
      return new Admitted(stored, warnings);
    }

    /** @param status a kube {@code Status} (usually code 422, reason {@code Invalid}, with causes) */
    static Verdict refused(JsonNode status) {
      return new Refused(status, null);
    }

    /** @param status a kube {@code Status} as JSON text */
    static Verdict refused(String status) {
      try {
        return new Refused(Serialization.jsonMapper().readTree(status), null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * @param pruned the object as it would have been stored: with it, unknown fields are found
     *     first under {@code fieldValidation=Strict}, as kube's decoder finds them before validation
     */
    static Verdict refused(JsonNode status, JsonNode pruned) {
      return new Refused(status, pruned);
    }
  }

  /** Store {@code stored}, send the warnings. */
  record Admitted(JsonNode stored, List<String> warnings) implements Verdict {
    public Admitted {
      Objects.requireNonNull(stored, "stored");
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Answer with {@code status} (its {@code code}, 422 when it has none); nothing is stored.
   * {@code pruned} may be null.
   */
  record Refused(JsonNode status, JsonNode pruned) implements Verdict {
    public Refused {
      if (!(status instanceof ObjectNode)) {
        throw new IllegalArgumentException("a refusal is a kube Status object");
      }
    }

    /** The HTTP status code of the answer. */
    public int code() {
      int code = status.path("code").asInt(0);
      return code >= 400 && code < 600 ? code : 422;
    }
  }
}
