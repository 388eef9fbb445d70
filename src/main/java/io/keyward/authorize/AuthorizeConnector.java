package io.keyward.authorize;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorSpec;
import io.keyward.api.v1alpha1.ApiProvider;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.SecretValues;
import io.keyward.credential.http.HttpSender;
import io.keyward.credential.oauth2.AuthorizationCodeFlow;
import io.keyward.credential.oauth2.DeviceAuthorization;
import io.keyward.credential.oauth2.OAuth2Issuer;
import io.keyward.operator.ClusterProviders;
import io.keyward.provider.EffectiveSpec;
import io.keyward.provider.ProfileException;
import io.keyward.provider.ProviderCatalog;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * {@code keyward authorize}: a connector's first refresh token, obtained as a native app does it
 * (RFC 8252: the system browser, a loopback redirect, PKCE S256), or with the device authorization
 * grant (RFC 8628: a code a person enters on any device), and written into the Secret key its
 * {@code refreshTokenRef} names; then the connector is asked to refresh. Reads the connector, its
 * provider profile and its client's Secrets with the caller's kubeconfig, as kubectl would. No token
 * is printed or logged: the output names Secrets and keys, never values.
 */
public final class AuthorizeConnector {
  /** Who wrote a seed Secret (a label: {@code keyward-authorize}). */
  public static final String AUTHORIZED_BY = "keyward.io/authorized-by";
  /** When (an annotation, RFC 3339). */
  public static final String AUTHORIZED_AT = "keyward.io/authorized-at";
  /** The kubeconfig user that ran it (an annotation), when the kubeconfig names one. */
  public static final String AUTHORIZED_USER = "keyward.io/authorized-user";
  static final String REFERENCEABLE = "keyward.io/referenceable";

  /** A failure the user can act on; its message names fields and Secrets, never values. */
  public static final class AuthorizeException extends Exception {
    public AuthorizeException(String message) {
      super(message);
    }
  }

  /**
   * @param port the loopback redirect's port (0: a free one)
   * @param browser opens the URL in a browser, where one is available
   */
  public record Options(String namespace, String name, Duration timeout, int port, Consumer<URI> browser,
      String kubeUser, boolean device) {
    public Options(String namespace, String name, Duration timeout, int port, Consumer<URI> browser, String kubeUser) {
      this(namespace, name, timeout, port, browser, kubeUser, false);
    }
  }

  private final KubernetesClient client;
  private final HttpSender http;
  private final Clock clock;
  private final PrintWriter out;

  public AuthorizeConnector(KubernetesClient client, HttpSender http, Clock clock, PrintWriter out) {
    this.client = client;
    this.http = http;
    this.clock = clock;
    this.out = out;
  }

  public void run(Options options) throws AuthorizeException, InterruptedException {
    String where = options.namespace() + "/" + options.name();
    ApiConnector connector = read(options.namespace(), options.name());
    OAuth2Auth auth = refreshTokenAuth(connector, where);
    SecretKeyRef seed = auth.refreshTokenRef;
    IssueContext context = new IssueContext(clientSecrets(options.namespace(), auth), clock, Duration.ofHours(1));
    OAuth2Issuer issuer = new OAuth2Issuer(http);
    try {
      auth = issuer.discovered(auth, context); // the authorization endpoints of its issuer's metadata
      OAuth2Issuer.checkResponseFields(auth); // before anyone consents
    } catch (CredentialException e) {
      throw new AuthorizeException(e.getMessage() + " (" + e.reason() + ")");
    }
    if (options.device()) {
      if (auth.authorizationResponseFields != null && !auth.authorizationResponseFields.isEmpty()) {
        throw new AuthorizeException("spec.auth.oauth2.authorizationResponseFields: come only with the browser's"
            + " redirect, which --device has none of; run keyward authorize without --device");
      }
      writeSeed(options, seed, deviceAuthorized(options, where, auth, context, issuer), Map.of());
      finished(options, seed, where);
      return;
    }
    try (LoopbackRedirect listener = new LoopbackRedirect(options.port())) {
      String clientId = clientIdOf(auth, context);
      AuthorizationCodeFlow.Started started = AuthorizationCodeFlow.start(auth, clientId, listener.uri());
      out.println("Open this URL in a browser to authorize " + where + " (client " + clientId + "):");
      out.println();
      out.println("  " + started.url());
      out.println();
      out.println("Waiting up to " + human(options.timeout()) + " for the provider's redirect to " + listener.uri()
          + " ...");
      out.flush();
      options.browser().accept(started.url());
      URI redirect;
      try {
        redirect = listener.await(options.timeout());
      } catch (TimeoutException e) {
        throw new AuthorizeException("no redirect came back within " + human(options.timeout()) + " (the browser"
            + " was closed or the consent not finished); nothing was written. Run keyward authorize again");
      }
      try {
        var code = AuthorizationCodeFlow.code(redirect, started);
        Map<String, String> fields = AuthorizationCodeFlow.responseFields(redirect, auth.authorizationResponseFields);
        AuthorizationCodeFlow.Authorized authorized = issuer.exchangeCode(auth, context, started, code);
        writeSeed(options, seed, authorized.refreshToken(), fields);
        listener.finish("Keyward has the refresh token for " + where + ".");
      } catch (CredentialException e) {
        listener.finish("Keyward could not finish: " + e.getMessage());
        throw new AuthorizeException(e.getMessage() + " (" + e.reason() + ")");
      }
    } catch (CredentialException e) {
      throw new AuthorizeException(e.getMessage());
    } catch (IOException e) {
      throw new AuthorizeException("could not listen on 127.0.0.1:" + options.port() + " for the redirect: "
          + e.getMessage() + (options.port() == 0 ? "" : " (choose another --port)"));
    }
    finished(options, seed, where);
  }

  private void finished(Options options, SecretKeyRef seed, String where) throws AuthorizeException {
    requestRefresh(options.namespace(), options.name());
    out.println("Wrote the refresh token to Secret " + options.namespace() + "/" + seed.name + " (key " + seed.key
        + ") and asked " + where + " to refresh.");
    out.println("Its status says when the operator has used it: kubectl -n " + options.namespace()
        + " get apiconnector " + options.name());
    out.flush();
  }

  /**
   * The device authorization grant (RFC 8628): prints the verification URI and user code, then polls
   * the token endpoint at the provider's interval (longer after {@code slow_down}) until a person
   * approves or denies, the code expires, or the timeout passes.
   */
  private String deviceAuthorized(Options options, String where, OAuth2Auth auth, IssueContext context,
      OAuth2Issuer issuer) throws AuthorizeException, InterruptedException {
    try {
      DeviceAuthorization.Started started = issuer.startDeviceAuthorization(auth, context);
      out.println("To authorize " + where + " (client " + clientIdOf(auth, context) + "), open");
      out.println();
      out.println("  " + started.verificationUri());
      out.println();
      out.println("and enter the code  " + started.userCode());
      if (started.verificationUriComplete() != null) {
        out.println("(or open " + started.verificationUriComplete() + ", which has the code in it)");
      }
      java.time.Instant deadline = clock.instant().plus(options.timeout());
      boolean codeFirst = started.expiresAt().isBefore(deadline);
      if (codeFirst) {
        deadline = started.expiresAt();
      }
      out.println("Waiting up to " + human(Duration.between(clock.instant(), deadline).truncatedTo(
          java.time.temporal.ChronoUnit.SECONDS)) + " for the approval ...");
      out.flush();
      options.browser().accept(started.verificationUriComplete() != null ? started.verificationUriComplete()
          : started.verificationUri());
      Duration interval = started.interval();
      while (true) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.compareTo(interval) < 0) {
          throw new AuthorizeException((codeFirst ? "the code expired before anyone approved it"
              : "nobody approved within " + human(options.timeout())) + "; nothing was written. Run keyward"
              + " authorize --device again");
        }
        Thread.sleep(interval.toMillis());
        DeviceAuthorization.Poll poll = issuer.pollDeviceAuthorization(auth, context, started.polledEvery(interval));
        if (poll instanceof DeviceAuthorization.Approved approved) {
          return approved.refreshToken();
        }
        interval = ((DeviceAuthorization.Pending) poll).interval();
      }
    } catch (CredentialException e) {
      throw new AuthorizeException(e.getMessage() + " (" + e.reason() + ")");
    }
  }

  private static String clientIdOf(OAuth2Auth auth, IssueContext context) throws AuthorizeException {
    try {
      String id = OAuth2Issuer.clientId(auth, context);
      if (id == null) {
        throw new AuthorizeException("spec.auth.oauth2.clientId: is required to authorize");
      }
      return id;
    } catch (CredentialException e) {
      throw new AuthorizeException(e.getMessage());
    }
  }

  private ApiConnector read(String namespace, String name) throws AuthorizeException {
    try {
      ApiConnector c = client.resources(ApiConnector.class).inNamespace(namespace).withName(name).get();
      if (c == null) {
        throw new AuthorizeException("ApiConnector " + namespace + "/" + name + " not found");
      }
      return c;
    } catch (KubernetesClientException e) {
      throw new AuthorizeException("could not read ApiConnector " + namespace + "/" + name + ": "
          + (e.getCode() == 403 ? "forbidden (the kubeconfig's user may not get apiconnectors there)"
              : e.getCode() == 404 ? "the ApiConnector CRD is not installed" : "HTTP " + e.getCode()));
    }
  }

  /** The connector's oauth2 block, merged with its provider profile, when it can start from a seed refresh token. */
  private OAuth2Auth refreshTokenAuth(ApiConnector connector, String where) throws AuthorizeException {
    ApiConnectorSpec spec = connector.getSpec();
    if (spec == null) {
      throw new AuthorizeException(where + " has no spec");
    }
    if (spec.problem().isPresent()) {
      throw new AuthorizeException(spec.problem().get().message());
    }
    if (spec.provider != null) {
      try {
        spec = EffectiveSpec.resolve(spec, connector.getMetadata().getName(), connector.getMetadata().getNamespace(),
            new ClusterProviders(this::apiProvider, ProviderCatalog.builtIn())).spec();
      } catch (ProfileException e) {
        throw new AuthorizeException(e.getMessage() + " (" + e.reason() + ")");
      }
    }
    OAuth2Auth auth = spec.auth == null ? null : spec.auth.oauth2;
    if (auth == null) {
      throw new AuthorizeException("spec.auth.oauth2: " + where + " is not an OAuth 2.0 connector; only a refresh token"
          + " grant is authorized in a browser");
    }
    if (auth.grantOrDefault() == OAuth2Auth.Grant.deviceCode) {
      throw new AuthorizeException("spec.auth.oauth2.grant: is deviceCode: the operator runs the device authorization"
          + " itself, and the connector's status says where to approve it (keyward status " + connector.getMetadata()
          .getName() + " -n " + connector.getMetadata().getNamespace() + ")");
    }
    if (auth.grantOrDefault() != OAuth2Auth.Grant.refreshToken) {
      throw new AuthorizeException("spec.auth.oauth2.grant: is " + auth.grantOrDefault() + "; keyward authorize"
          + " obtains the seed of grant refreshToken (the other grants need no person to consent)");
    }
    if (auth.refreshTokenRef == null) {
      throw new AuthorizeException("spec.auth.oauth2.refreshTokenRef: is required: the Secret key the refresh token"
          + " is written to");
    }
    return auth;
  }

  private Optional<ApiProvider> apiProvider(String name) {
    try {
      return Optional.ofNullable(client.resources(ApiProvider.class).withName(name).get());
    } catch (KubernetesClientException e) {
      return Optional.empty(); // no ApiProvider CRD, or not allowed to read them: the built-in profiles
    }
  }

  /** The values of every Secret key the client authenticates with (not the seed: that is what is being made). */
  private SecretValues clientSecrets(String namespace, OAuth2Auth auth) throws AuthorizeException {
    Map<SecretKeyRef, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, SecretKeyRef> e : auth.secretRefsByField().entrySet()) {
      if (OAuth2Auth.isSeedField(e.getKey())) {
        continue;
      }
      SecretKeyRef ref = e.getValue();
      String value = secretValue(namespace, ref);
      if (value == null) {
        throw new AuthorizeException(e.getKey() + ": Secret " + namespace + "/" + ref.name + " (key " + ref.key
            + ") does not exist");
      }
      values.put(ref, value);
    }
    return SecretValues.of(values);
  }

  private String secretValue(String namespace, SecretKeyRef ref) throws AuthorizeException {
    Secret secret = getSecret(namespace, ref.name);
    if (secret == null) {
      return null;
    }
    return io.keyward.operator.SecretData.decode(secret).get(ref.key);
  }

  private Secret getSecret(String namespace, String name) throws AuthorizeException {
    try {
      return client.secrets().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new AuthorizeException("could not read Secret " + namespace + "/" + name + ": "
          + (e.getCode() == 403 ? "forbidden (the kubeconfig's user may not get secrets there)" : "HTTP " + e.getCode()));
    }
  }

  /** Creates the seed Secret or sets its key, labelled with who wrote it and when. */
  private void writeSeed(Options options, SecretKeyRef seed, String refreshToken, Map<String, String> fields)
      throws AuthorizeException {
    String namespace = options.namespace();
    String value = Base64.getEncoder().encodeToString(refreshToken.getBytes(StandardCharsets.UTF_8));
    Map<String, String> written = new LinkedHashMap<>();
    fields.forEach((k, v) -> written.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    written.put(seed.key, value);
    String at = clock.instant().toString();
    try {
      Secret existing = getSecret(namespace, seed.name);
      if (existing == null) {
        var meta = new ObjectMetaBuilder().withName(seed.name).withNamespace(namespace)
            .addToLabels(AUTHORIZED_BY, "keyward-authorize").addToLabels(REFERENCEABLE, "true")
            .addToAnnotations(AUTHORIZED_AT, at);
        if (options.kubeUser() != null) {
          meta.addToAnnotations(AUTHORIZED_USER, options.kubeUser());
        }
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withMetadata(meta.build())
            .withType("Opaque").addToData(written).build()).create();
      } else {
        client.secrets().inNamespace(namespace).withName(seed.name).edit(s -> {
          var meta = s.getMetadata();
          meta.setLabels(meta.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(meta.getLabels()));
          meta.getLabels().put(AUTHORIZED_BY, "keyward-authorize");
          meta.setAnnotations(meta.getAnnotations() == null ? new LinkedHashMap<>()
              : new LinkedHashMap<>(meta.getAnnotations()));
          meta.getAnnotations().put(AUTHORIZED_AT, at);
          if (options.kubeUser() != null) {
            meta.getAnnotations().put(AUTHORIZED_USER, options.kubeUser());
          } else {
            meta.getAnnotations().remove(AUTHORIZED_USER);
          }
          Map<String, String> data = s.getData() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(s.getData());
          data.putAll(written);
          s.setData(data);
          if (s.getStringData() != null) {
            written.keySet().forEach(s.getStringData()::remove);
          }
          return s;
        });
      }
    } catch (KubernetesClientException e) {
      throw new AuthorizeException("the provider issued a refresh token, but Secret " + namespace + "/" + seed.name
          + " could not be written (" + (e.getCode() == 403 ? "forbidden" : "HTTP " + e.getCode()) + "); it was not"
          + " kept. Fix the access and run keyward authorize again");
    }
  }

  private void requestRefresh(String namespace, String name) throws AuthorizeException {
    try {
      client.resources(ApiConnector.class).inNamespace(namespace).withName(name).edit(c -> {
        var annotations = c.getMetadata().getAnnotations() == null ? new LinkedHashMap<String, String>()
            : new LinkedHashMap<>(c.getMetadata().getAnnotations());
        annotations.put(ApiConnector.REFRESH_REQUESTED_AT, clock.instant().toString());
        c.getMetadata().setAnnotations(annotations);
        return c;
      });
    } catch (KubernetesClientException e) {
      out.println("The refresh token is in place; asking " + namespace + "/" + name + " to refresh failed (HTTP "
          + e.getCode() + "): the operator picks up the changed Secret by itself.");
    }
  }

  static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT).replaceAll("\\.0+s", "s");
  }
}
