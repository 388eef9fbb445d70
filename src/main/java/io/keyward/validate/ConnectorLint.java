package io.keyward.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyward.api.v1alpha1.ApiConnectorSpec;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.StoredSpec;
import io.keyward.api.v1alpha1.auth.AuthMethod;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a valid connector may still get wrong, as warnings: a Secret or key it reads that the
 * given manifests do not hold (checked only where they hold Secrets of the connector's namespace,
 * see {@link SecretInventory}), a Secret in another namespace (the operator refuses it), a
 * plain-http URL to a host that is not loopback, an API key sent in the query string.
 */
final class ConnectorLint {
  static final String SECRET_NOT_FOUND = "SecretNotInManifests";
  static final String KEY_NOT_FOUND = "SecretKeyNotInManifests";
  static final String FORBIDDEN_REFERENCE = "ForbiddenSecretReference";
  static final String INSECURE_URL = "InsecureUrl";
  static final String API_KEY_IN_QUERY = "ApiKeyInQuery";

  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "[::1]", "::1");
  private static final List<String[]> URL_FIELDS = List.of(
      new String[] {"spec.auth.oauth2.tokenUrl", "the token endpoint", "the client secret and tokens"},
      new String[] {"spec.auth.jwt.exchange.url", "the exchange endpoint", "the signed JWT and the token"},
      new String[] {"spec.validation.jwksUrl", "the JWKS", "the keys that tokens are checked with"});

  private ConnectorLint() {}

  static List<Problem> warnings(JsonNode connector, SecretInventory secrets) {
    List<Problem> warnings = new ArrayList<>();
    JsonNode spec = connector.path("spec");
    for (String[] url : URL_FIELDS) {
      JsonNode value = at(spec, url[0].substring("spec.".length()));
      if (value.isTextual() && plainHttpToRemote(value.textValue())) {
        warnings.add(new Problem(url[0], INSECURE_URL, url[1] + " uses plain http to a host that is not loopback: "
            + url[2] + " cross the network unencrypted"));
      }
    }
    if ("query".equals(spec.path("auth").path("apiKey").path("in").asText())) {
      warnings.add(new Problem("spec.auth.apiKey.in", API_KEY_IN_QUERY, "the API key is sent in the query string;"
          + " URLs end up in access logs and proxies, prefer a header where the API allows it"));
    }
    String namespace = connector.path("metadata").path("namespace").asText("");
    for (Map.Entry<String, SecretKeyRef> ref : secretRefs(spec).entrySet()) {
      SecretKeyRef r = ref.getValue();
      String field = ref.getKey();
      if (r.namespace != null && !SecretInventory.namespaceOf(r.namespace).equals(SecretInventory.namespaceOf(namespace))) {
        warnings.add(new Problem(field + ".namespace", FORBIDDEN_REFERENCE, "a connector reads only Secrets of its own"
            + " namespace; the operator refuses this reference"));
        continue;
      }
      if (!secrets.holds(namespace) || r.name == null) {
        continue;
      }
      if (io.keyward.api.v1alpha1.auth.OAuth2Auth.isSeedField(field) && !spec.path("auth").path("oauth2")
          .path("authorizationUrl").asText("").isEmpty()) {
        continue; // the seed keyward authorize writes: not among manifests until someone consents
      }
      Optional<Set<String>> keys = secrets.keys(namespace, r.name);
      if (keys.isEmpty()) {
        warnings.add(new Problem(field + ".name", SECRET_NOT_FOUND, "Secret \"" + r.name + "\" is not in the given"
            + " manifests (namespace " + SecretInventory.namespaceOf(namespace) + ")"));
      } else if (r.key != null && !keys.get().contains(r.key)) {
        warnings.add(new Problem(field + ".key", KEY_NOT_FOUND, "Secret \"" + r.name + "\" in the given manifests has"
            + " no key \"" + r.key + "\""));
      }
    }
    return warnings;
  }

  /** The Secret keys the connector reads, by field, as the operator resolves them. */
  private static Map<String, SecretKeyRef> secretRefs(JsonNode spec) {
    ApiConnectorSpec model = StoredSpec.read(spec);
    if (model == null || model.problem().isPresent() || model.auth == null) {
      return Map.of();
    }
    try {
      AuthMethod active = model.auth.active();
      return active.secretRefsByField();
    } catch (IllegalArgumentException e) {
      return Map.of();
    }
  }

  static boolean plainHttpToRemote(String url) {
    try {
      URI uri = new URI(url);
      if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        return false;
      }
      String host = uri.getHost();
      return !(LOOPBACK_NAMES.contains(host.toLowerCase(java.util.Locale.ROOT)) || host.matches("127(\\.\\d{1,3}){3}"));
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static JsonNode at(JsonNode node, String dotted) {
    JsonNode n = node;
    for (String part : dotted.split("\\.")) {
      n = n.path(part);
    }
    return n;
  }
}
