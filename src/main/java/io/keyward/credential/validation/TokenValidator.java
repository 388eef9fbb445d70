package io.keyward.credential.validation;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.http.Endpoints;
import io.keyward.credential.http.HostBusyException;
import io.keyward.credential.http.HttpSender;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks a token a provider issued before it is published (Nimbus does the work): a JWT signed by
 * a key of the provider's JWKS, with the expected {@code iss} and {@code aud}, not expired. The JWKS
 * is cached per URL and fetched again when a token names an unknown {@code kid}, at most every
 * {@link #MIN_REFETCH} (a key rotation at the provider is picked up; a flood of bad tokens does not
 * become a flood of fetches).
 */
public final class TokenValidator {
  /**
   * @param jwksUrl the provider's JWKS
   * @param issuer the expected {@code iss}, or {@code null}
   * @param audience a value {@code aud} must contain, or {@code null}
   */
  public record Rules(String jwksUrl, String issuer, String audience) {}

  static final long MIN_REFETCH = 30_000;
  static final long CACHE_TTL = 15 * 60_000;

  /** JWKS sources kept: they are keyed by URLs from specs, so the least recently used one goes. */
  static final int MAX_SOURCES = 1024;

  private final HttpSender http;
  private final Map<String, JWKSource<SecurityContext>> sources;

  public TokenValidator(HttpSender http) {
    this(http, MAX_SOURCES);
  }

  TokenValidator(HttpSender http, int maxSources) {
    this.http = http;
    this.sources = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, JWKSource<SecurityContext>> eldest) {
        return size() > maxSources;
      }
    });
  }

  /** JWKS sources cached (for tests). */
  int cachedSources() {
    return sources.size();
  }

  /** Passes, or throws {@code TokenValidationFailed} with a message that shows no token. */
  public void check(Rules rules, IssuedCredential credential, Instant now) throws CredentialException {
    URI jwksUrl = Endpoints.url(rules.jwksUrl(), "spec.validation.jwksUrl");
    JWKSource<SecurityContext> keys;
    try {
      keys = sources.computeIfAbsent(rules.jwksUrl(), this::source);
    } catch (IllegalArgumentException e) {
      throw CredentialException.invalidConfiguration("spec.validation.jwksUrl", "is not a valid URL");
    }
    DefaultJWTProcessor<SecurityContext> processor = JwksVerification.processor(keys);
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (rules.issuer() != null && !rules.issuer().isBlank()) {
      exact.issuer(rules.issuer());
    }
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
        rules.audience() == null || rules.audience().isBlank() ? null : Set.of(rules.audience()),
        exact.build(), Set.of("exp"), null) {
      @Override
      protected Date currentTime() {
        return Date.from(now);
      }
    });
    try {
      processor.process(credential.token(), null);
    } catch (java.text.ParseException e) {
      throw failed("the token is not a JWT", true);
    } catch (BadJWTException e) {
      // claims: iss, aud, exp — a configuration or provider problem that a retry will not fix
      throw failed("its claims do not match spec.validation (" + claimProblem(e) + ")", true);
    } catch (BadJOSEException e) {
      // signature or unknown key: the provider may be rotating keys; retried with backoff
      throw failed("its signature does not verify with a key of the JWKS at " + endpoint(rules.jwksUrl()), false);
    } catch (com.nimbusds.jose.JOSEException e) {
      IOException transport = transportFailure(e);
      if (transport != null) {
        CredentialException mapped = http.failure(transport, "the JWKS endpoint " + Endpoints.display(jwksUrl));
        if ("egress_denied".equals(mapped.errorClass())) {
          throw mapped;
        }
        if (mapped.isDeferred()) {
          // nothing was fetched: forget the source so its refetch rate limit does not count this attempt
          sources.remove(rules.jwksUrl(), keys);
          throw mapped;
        }
      }
      // refused, unreachable, too slow, or not a JWKS: one message, so that status is no port scanner
      throw failed("the JWKS at " + endpoint(rules.jwksUrl()) + " could not be fetched (no connection, no complete"
          + " answer within " + io.keyward.credential.http.HttpLimits.show(http.limits().deadline())
          + ", or no JWKS in the answer)", false);
    }
  }

  /** The sender's own exception under Nimbus's wrapping, if that is what failed. */
  private static IOException transportFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HostBusyException || t instanceof java.net.http.HttpTimeoutException
          || t instanceof io.keyward.credential.http.EgressDeniedException) {
        return (IOException) t;
      }
    }
    return null;
  }

  /** Which check failed, in our words: Nimbus's messages quote claim values. */
  private static String claimProblem(BadJWTException e) {
    String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
    if (m.contains("expired")) {
      return "it has expired";
    }
    if (m.contains("aud")) {
      return "aud does not contain spec.validation.audience";
    }
    if (m.contains("iss")) {
      return "iss is not spec.validation.issuer";
    }
    if (m.contains("exp")) {
      return "it has no exp";
    }
    return "a claim check failed";
  }

  private static CredentialException failed(String why, boolean terminal) {
    String message = "the issued token was not published: " + why + "; the previous credential stays";
    return (terminal ? CredentialException.terminal("TokenValidationFailed", message)
        : CredentialException.transientFailure("TokenValidationFailed", message, null))
        .classified("token_validation_failed");
  }

  private JWKSource<SecurityContext> source(String url) {
    try {
      return JWKSourceBuilder.<SecurityContext>create(new URL(url), new SenderRetriever(http))
          .cache(CACHE_TTL, 10_000)
          .rateLimited(MIN_REFETCH)
          .refreshAheadCache(false)
          .retrying(false)
          .outageTolerant(false)
          .build();
    } catch (java.net.MalformedURLException e) {
      throw new IllegalArgumentException("spec.validation.jwksUrl: is not a valid URL");
    }
  }

  private static String endpoint(String url) {
    try {
      URI u = URI.create(url);
      return u.getScheme() + "://" + u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort());
    } catch (IllegalArgumentException e) {
      return "spec.validation.jwksUrl";
    }
  }

  /** Fetches the JWKS through the same injected HTTP client as every provider call. */
  private record SenderRetriever(HttpSender http) implements ResourceRetriever {
    @Override
    public Resource retrieveResource(URL url) throws IOException {
      HTTPResponse response;
      try {
        response = new HTTPRequest(HTTPRequest.Method.GET, url.toURI()).send(http);
      } catch (java.net.URISyntaxException e) {
        throw new IOException("not a URI");
      }
      if (response.getStatusCode() != 200) {
        throw new IOException("JWKS endpoint answered HTTP " + response.getStatusCode());
      }
      return new Resource(response.getBody(), response.getHeaderValue("Content-Type"));
    }
  }
}
