package io.keyward.operator;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.GoDuration;
import io.keyward.api.v1alpha1.RefreshSpec;
import io.keyward.api.v1alpha1.auth.AuthMethod;
import io.keyward.credential.CredentialException;
import io.keyward.credential.validation.TokenValidator;
import io.keyward.renewal.RenewalPolicy;
import java.time.Duration;

/** One connector's spec, checked and with defaults applied; bad values fail naming the field. */
record ConnectorSettings(
    AuthMethod auth, RenewalPolicy renewal, Duration defaultLifetime, String outputSecretName, String stateSecretName,
    TokenValidator.Rules validation, Provider provider, boolean revokeOnDelete) {

  /** The provider profile a connector's spec was merged with, as status shows it. */
  record Provider(String name, String source) {}

  static final String STATE_SUFFIX = "-keyward-state";
  /** A DNS-1123 subdomain: what the API server accepts as a Secret name (at most 253 characters). */
  private static final java.util.regex.Pattern SUBDOMAIN =
      java.util.regex.Pattern.compile(io.keyward.api.v1alpha1.SchemaPatterns.DNS_SUBDOMAIN);

  static ConnectorSettings of(ApiConnector connector, Duration operatorDefaultLifetime) throws CredentialException {
    return of(connector, operatorDefaultLifetime, io.keyward.provider.ProviderCatalog.builtIn());
  }

  /** @param providers where {@code spec.provider} is looked up */
  static ConnectorSettings of(ApiConnector connector, Duration operatorDefaultLifetime,
      io.keyward.provider.ProviderSource providers) throws CredentialException {
    String name = connector.getMetadata().getName();
    var spec = connector.getSpec();
    if (spec != null && spec.problem().isPresent()) {
      // stored under another CRD (or none): this version cannot read it; the rest of the cluster is unaffected
      throw CredentialException.terminal("InvalidSpec", spec.problem().get().message()
          + "; nothing is issued for this connector until its spec is fixed");
    }
    Provider provider = null;
    if (spec != null && spec.provider != null) {
      try {
        var effective = io.keyward.provider.EffectiveSpec.resolve(spec, name, connector.getMetadata().getNamespace(),
            providers);
        spec = effective.spec();
        provider = new Provider(effective.profile().name(), effective.profile().source());
      } catch (io.keyward.provider.ProfileException e) {
        throw CredentialException.terminal(e.reason(), e.getMessage()
            + "; nothing is issued for this connector until it is fixed");
      }
    }
    if (spec == null || spec.auth == null) {
      throw CredentialException.invalidConfiguration("spec.auth", "is required");
    }
    try {
      AuthMethod auth = spec.auth.active();
      RefreshSpec refresh = spec.refresh == null ? new RefreshSpec() : spec.refresh;
      RenewalPolicy policy = new RenewalPolicy(
          GoDuration.parse(refresh.renewBefore, "spec.refresh.renewBefore"),
          refresh.renewBeforePercentage != null ? refresh.renewBeforePercentage : auth.defaultRenewBeforePercentage());
      Duration lifetime = GoDuration.parse(refresh.defaultLifetime, "spec.refresh.defaultLifetime");
      if (lifetime != null && lifetime.isZero()) {
        throw new IllegalArgumentException("spec.refresh.defaultLifetime: must be greater than zero");
      }
      String output = spec.output == null || spec.output.secretName == null || spec.output.secretName.isBlank()
          ? name + "-credentials"
          : spec.output.secretName;
      String state = name + STATE_SUFFIX;
      if (!isSubdomain(state)) {
        throw new IllegalArgumentException("metadata.name: is longer than " + (253 - STATE_SUFFIX.length())
            + " characters; the state Secret <name>" + STATE_SUFFIX + " would not be a valid name");
      }
      if (!isSubdomain(output)) {
        throw new IllegalArgumentException("spec.output.secretName: is not a valid Secret name (a DNS-1123 subdomain:"
            + " lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253"
            + " characters)");
      }
      if (output.equals(state)) {
        throw new IllegalArgumentException("spec.output.secretName: is reserved for Keyward's state");
      }
      var v = spec.validation;
      if (v != null && (v.jwksUrl == null || v.jwksUrl.isBlank())) {
        throw new IllegalArgumentException("spec.validation.jwksUrl: is required");
      }
      TokenValidator.Rules validation = v == null ? null : new TokenValidator.Rules(v.jwksUrl.strip(), v.issuer, v.audience);
      return new ConnectorSettings(auth, policy, lifetime == null ? operatorDefaultLifetime : lifetime, output, state,
          validation, provider, spec.deletionPolicy == io.keyward.api.v1alpha1.ApiConnectorSpec.DeletionPolicy.Revoke);
    } catch (IllegalArgumentException e) {
      throw CredentialException.terminal("InvalidConfiguration", e.getMessage());
    }
  }

  static boolean isSubdomain(String name) {
    return name.length() <= 253 && SUBDOMAIN.matcher(name).matches();
  }
}
