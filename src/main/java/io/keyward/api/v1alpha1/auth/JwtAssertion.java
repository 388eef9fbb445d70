package io.keyward.api.v1alpha1.auth;

import io.keyward.api.v1alpha1.SchemaPatterns;
import io.fabric8.generator.annotation.Size;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.keyward.api.v1alpha1.GoDuration;
import io.keyward.api.v1alpha1.SecretKeyRef;

/**
 * A JWT Keyward signs for RFC 7523: a client assertion ({@code privateKeyJwt}) or an authorization
 * grant ({@code jwtBearer}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JwtAssertion {
  @Required
  @JsonPropertyDescription("A Secret key holding the private key: PEM (PKCS#1, PKCS#8, SEC1), a JWK, or a Google"
      + " service-account key file as downloaded.")
  public SecretKeyRef keyRef;

  @Pattern("^(RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512)$")
  @JsonPropertyDescription("JWS algorithm. Default: RS256 for RSA keys, ES256/ES384/ES512 by curve.")
  public String algorithm;

  @Size(max = SchemaPatterns.SHORT_LENGTH)
  @JsonPropertyDescription("kid header. Default: the JWK's kid or the service account's private_key_id.")
  public String keyId;

  @Size(max = SchemaPatterns.TEXT_LENGTH)
  @JsonPropertyDescription("iss claim. Default: the service account's client_email, else the client ID.")
  public String issuer;

  @Size(max = SchemaPatterns.TEXT_LENGTH)
  @JsonPropertyDescription("sub claim. Default: the issuer (for a service-account key: none, or the user to"
      + " act for with domain-wide delegation).")
  public String subject;

  @Size(max = SchemaPatterns.TEXT_LENGTH)
  @JsonPropertyDescription("aud claim. Default: the token endpoint.")
  public String audience;

  @Pattern(GoDuration.PATTERN)
  @Size(max = SchemaPatterns.DURATION_LENGTH)
  @JsonPropertyDescription("How long the assertion is valid. Default 5m.")
  public String lifetime;

  @JsonPropertyDescription("A Secret key holding the key's X.509 certificate (PEM); adds the x5t#S256 header"
      + " (Microsoft Entra ID's certificate credentials identify the key by it).")
  public SecretKeyRef certificateRef;

  @JsonPropertyDescription("grant jwtBearer: also put spec.auth.oauth2.scopes into the assertion's scope claim"
      + " (space-separated), where DocuSign and Google read them. Default: true for a Google service-account key"
      + " file, else false.")
  public Boolean scopeClaim;
}
