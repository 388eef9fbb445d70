package io.keyward.admission;

/**
 * A field path rendered as k8s.io/apimachinery's {@code field.Path.String()} renders it:
 * {@code spec.auth}, {@code spec.scopes[0]}, {@code spec.extraParams[resource]}, and
 * {@code <nil>} for the root. CEL rule errors, pruned fields and metadata use it; schema errors
 * carry kube-openapi's own dotted names instead (see {@link SchemaValidation}).
 */
record FieldPath(String text) {
  static final FieldPath ROOT = new FieldPath("");

  FieldPath child(String name) {
    return new FieldPath(text.isEmpty() ? name : text + "." + name);
  }

  FieldPath index(int i) {
    return new FieldPath(text + "[" + i + "]");
  }

  FieldPath key(String key) {
    return new FieldPath(text + "[" + key + "]");
  }

  @Override
  public String toString() {
    return text.isEmpty() ? "<nil>" : text;
  }
}
