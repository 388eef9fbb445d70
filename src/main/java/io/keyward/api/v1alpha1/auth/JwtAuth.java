package io.keyward.api.v1alpha1.auth;

import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.keyward.api.v1alpha1.SchemaMerge;
import io.keyward.api.v1alpha1.SchemaPatterns;
import io.fabric8.generator.annotation.Size;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.keyward.api.v1alpha1.GoDuration;
import io.keyward.api.v1alpha1.SecretKeyRef;
import java.util.List;
import java.util.Map;

/** A short-lived JWT that Keyward signs with a private key, re-minted before it expires. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JwtAuth implements AuthMethod {
  /** JWS algorithms Keyward signs with. */
  public enum Algorithm {
    RS256, RS384, RS512, PS256, ES256, ES384, EdDSA
  }

  /** Keys Keyward generates and rotates itself. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Generate {
    /** Key families. */
    public enum KeyType {
      RSA, EC, OKP
    }

    @Required
    @JsonPropertyDescription("RSA, EC or OKP (Ed25519); must fit the algorithm.")
    public KeyType type;

    @Min(2048)
    @Max(4096)
    @ValidationRule(value = "self in [2048, 3072, 4096]", message = "size must be 2048, 3072 or 4096")
    @JsonPropertyDescription("RSA modulus size in bits: 2048 (default), 3072 or 4096.")
    public Long size;

    @Pattern("^(P-256|P-384)$")
    @JsonPropertyDescription("EC curve: P-256 (default) or P-384.")
    public String curve;

    @Pattern(GoDuration.PATTERN)
    @Size(max = SchemaPatterns.DURATION_LENGTH)
    @JsonPropertyDescription("How long a key signs before the next one takes over. Default 720h (30 days).")
    public String rotateEvery;

    @Pattern(GoDuration.PATTERN)
    @Size(max = SchemaPatterns.DURATION_LENGTH)
    @JsonPropertyDescription("How long a new key is published in the JWKS before it signs anything, so that the"
        + " provider's JWKS cache catches up. Default 1h.")
    public String overlap;
  }

  /** Where the signing key comes from: a Secret, or generated. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @io.fabric8.generator.annotation.ValidationRule(value = "has(self.secretRef) != has(self.generate)",
      message = "exactly one of secretRef and generate must be set")
  public static class SigningKey {
    @JsonPropertyDescription("A Secret key holding the private key: PEM (PKCS#1, PKCS#8, SEC1; RSA, EC, Ed25519)"
        + " or a JWK.")
    public SecretKeyRef secretRef;

    @JsonPropertyDescription("A Secret key holding the passphrase of an encrypted PKCS#8 key.")
    public SecretKeyRef passphraseRef;

    @JsonPropertyDescription("A Secret key holding the key's X.509 certificate (PEM); adds the x5t#S256 header.")
    public SecretKeyRef certificateRef;

    @JsonPropertyDescription("Generate keys and rotate them; the private keys live only in the state Secret and"
        + " the public keys are published in the ConfigMap <name>-jwks.")
    public Generate generate;
  }

  /**
   * Two-step minting: the minted JWT is presented as a Bearer token to an endpoint that answers with
   * the credential to publish (a GitHub App's installation access token, for example).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @SchemaCustomizer(value = SchemaMerge.class, input = "{\"properties\":{\"headers\":"
      + "{\"additionalProperties\":{\"type\":\"string\",\"maxLength\":" + SchemaPatterns.VALUE_LENGTH
      + ",\"pattern\":\"" + SchemaPatterns.PRINTABLE + "\"}}}}")
  public static class Exchange {
    @Required
    @Pattern(SchemaPatterns.HTTP_URL)
    @Size(max = SchemaPatterns.URL_LENGTH)
    @JsonPropertyDescription("The endpoint the JWT is POSTed to, e.g."
        + " https://api.github.com/app/installations/<id>/access_tokens.")
    public String url;

    @Size(max = SchemaPatterns.SHORT_LENGTH)
    @JsonPropertyDescription("The response field that holds the token to publish. Default token.")
    public String tokenField;

    @Size(max = SchemaPatterns.SHORT_LENGTH)
    @JsonPropertyDescription("The response field with the token's absolute expiry (RFC 3339 or Unix seconds)."
        + " Default expires_at; else expires_in, else the token's JWT exp, else the default lifetime.")
    public String expiresAtField;

    @Size(max = 32)
    @JsonPropertyDescription("Extra request headers, e.g. Accept: application/vnd.github+json. Names must be RFC 7230"
        + " tokens and values printable ASCII (checked when issuing).")
    public Map<String, String> headers;

    @Pattern(SchemaPatterns.TOKEN)
    @Size(max = SchemaPatterns.DURATION_LENGTH)
    @JsonPropertyDescription("The scheme of the published Authorization header (an RFC 7230 token). Default Bearer.")
    public String tokenType;
  }

  /** The registered claims, and static custom ones. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @SchemaCustomizer(value = SchemaMerge.class, input = "{\"properties\":{"
      + "\"audience\":{\"items\":{\"type\":\"string\",\"maxLength\":" + SchemaPatterns.TEXT_LENGTH + "}},"
      + "\"extra\":{\"additionalProperties\":{\"type\":\"string\",\"maxLength\":" + SchemaPatterns.VALUE_LENGTH
      + "}}}}")
  public static class Claims {
    @Size(max = SchemaPatterns.TEXT_LENGTH)
    @JsonPropertyDescription("iss")
    public String issuer;

    @Size(max = SchemaPatterns.TEXT_LENGTH)
    @JsonPropertyDescription("sub")
    public String subject;

    @Size(max = 16)
    @JsonPropertyDescription("aud (one or more)")
    public List<String> audience;

    @Size(max = 32)
    @JsonPropertyDescription("Further claims with fixed string values.")
    public Map<String, String> extra;
  }

  @JsonPropertyDescription("RS256, RS384, RS512, PS256, ES256, ES384 or EdDSA; must fit the key. Required unless"
      + " spec.provider names a profile that supplies it.")
  public Algorithm algorithm;

  @Required
  @JsonPropertyDescription("The private key the JWTs are signed with.")
  public SigningKey signingKey;

  @JsonPropertyDescription("Claims of every minted JWT; iat, nbf, exp and a unique jti are added.")
  public Claims claims;

  @Pattern(GoDuration.PATTERN)
  @Size(max = SchemaPatterns.DURATION_LENGTH)
  @JsonPropertyDescription("Lifetime of each JWT. Default 10m; re-minted at half-life at the latest.")
  public String ttl;

  @Size(max = SchemaPatterns.SHORT_LENGTH)
  @JsonPropertyDescription("kid header. Default: the JWK's kid, else its RFC 7638 thumbprint.")
  public String keyId;

  @Pattern(GoDuration.PATTERN)
  @Size(max = SchemaPatterns.DURATION_LENGTH)
  @JsonPropertyDescription("Set iat and nbf this long in the past, for providers whose clock may run behind"
      + " (GitHub recommends 60s). exp stays ttl after now. Default 0s.")
  public String backdate;

  @JsonPropertyDescription("Exchange each minted JWT at an endpoint and publish what it answers instead.")
  public Exchange exchange;

  @Override
  public String type() {
    return "jwt";
  }

  @Override
  public Map<String, SecretKeyRef> secretRefsByField() {
    return signingKey == null ? Map.of() : AuthMethod.byField(type(), "signingKey.secretRef", signingKey.secretRef,
        "signingKey.passphraseRef", signingKey.passphraseRef, "signingKey.certificateRef", signingKey.certificateRef);
  }

  /** Minted tokens are re-minted at half-life at the latest, unless the spec says otherwise. */
  @Override
  public Integer defaultRenewBeforePercentage() {
    return 50;
  }
}
