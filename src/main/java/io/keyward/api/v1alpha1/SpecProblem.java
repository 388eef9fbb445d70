package io.keyward.api.v1alpha1;

/**
 * Why a stored spec could not be read into the model.
 *
 * @param field the path of the offending field, e.g. {@code spec.auth.oauth2.grant}
 * @param problem what is wrong with its value; never the value itself
 */
public record SpecProblem(String field, String problem) {
  public String message() {
    return field + ": " + problem;
  }
}
