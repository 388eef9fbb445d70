package io.keyward.testing;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.function.Function;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Fabric8 mock API server in CRUD mode on loopback, with the ApiConnector CRD installed. */
public final class MockCluster implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private volatile Function<RecordedRequest, MockResponse> interceptor = r -> null;
  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();

  public MockCluster() throws Exception {
    Dispatcher dispatcher = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        MockResponse intercepted = interceptor.apply(request);
        return intercepted != null ? intercepted : crud.dispatch(nullStatusMended(request));
      }
    };
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init(InetAddress.getByName("127.0.0.1"), 0);
    client = server.createClient();
    for (String file : new String[] {"apiconnectors.keyward.io-v1.yml", "apiproviders.keyward.io-v1.yml"}) {
      try (InputStream crd = MockCluster.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
        client.apiextensions().v1().customResourceDefinitions()
            .resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class))
            .create();
      }
    }
  }

  /**
   * The mock stores {@code "status": null} after a patch of a custom resource's main path (a real API
   * server keeps the status absent), and a JSON patch of the status that adds its fields then fails
   * ("cannot reference past scalar value"). Such a status patch is given an {@code add /status {}}
   * first, as the object a real server holds would let it apply.
   */
  private RecordedRequest nullStatusMended(RecordedRequest request) {
    String path = request.getPath();
    if (!"PATCH".equals(request.getMethod()) || path == null || !path.contains("/apis/keyward.io/")
        || !path.split("\\?")[0].endsWith("/status")
        || !String.valueOf(request.getHeader("Content-Type")).startsWith("application/json-patch+json")) {
      return request;
    }
    String objectPath = path.split("\\?")[0].replaceAll("/status$", "");
    MockResponse stored = crud.dispatch(new RecordedRequest("HTTP/1.1", io.fabric8.mockwebserver.dsl.HttpMethod.GET,
        objectPath, io.fabric8.mockwebserver.http.Headers.builder().build(), new io.fabric8.mockwebserver.http.Buffer()));
    String body = stored.getBody() == null ? "" : stored.getBody().readUtf8();
    if (!body.contains("\"status\":null")) {
      return request;
    }
    String patch = request.getBody().readUtf8().strip();
    String mended = "[{\"op\":\"add\",\"path\":\"/status\",\"value\":{}}" + (patch.equals("[]") ? "]" : "," + patch.substring(1));
    var buffer = new io.fabric8.mockwebserver.http.Buffer();
    buffer.write(mended.getBytes(StandardCharsets.UTF_8));
    return new RecordedRequest(request.getHttpVersion(), io.fabric8.mockwebserver.dsl.HttpMethod.PATCH, path,
        request.getHeaders(), buffer);
  }

  /** Answers requests for which {@code answer} returns a response; the rest reach the API. */
  public void intercept(Function<RecordedRequest, MockResponse> answer) {
    this.interceptor = answer == null ? r -> null : answer;
  }

  /**
   * Deletes a Secret in the stored objects directly, without a request: for an interceptor that makes a
   * Secret vanish just before the write it intercepts reaches the store (the watches are told as usual).
   */
  public void deleteSecretInStore(String namespace, String name) {
    crud.dispatch(new RecordedRequest("HTTP/1.1", io.fabric8.mockwebserver.dsl.HttpMethod.DELETE,
        "/api/v1/namespaces/" + namespace + "/secrets/" + name,
        io.fabric8.mockwebserver.http.Headers.builder().build(), new io.fabric8.mockwebserver.http.Buffer()));
  }

  /** Writes a kubeconfig for this server (user alice, no credentials; {@code namespace} may be null). */
  public java.nio.file.Path writeKubeconfig(java.nio.file.Path path, String namespace) throws java.io.IOException {
    java.nio.file.Files.writeString(path, """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "%s"}}]
        users: [{name: alice, user: {}}]
        contexts: [{name: mock, context: {cluster: mock, user: alice%s}}]
        current-context: mock
        """.formatted(client.getMasterUrl(), namespace == null ? "" : ", namespace: " + namespace));
    return path;
  }

  public KubernetesClient client() {
    return client;
  }

  /** A link to this API server that a test can cut (see {@link ApiLink}). */
  public ApiLink link() throws java.io.IOException {
    return new ApiLink(server.getPort());
  }

  /**
   * A client of this API server through {@code link} (directly when {@code null}) that retries a
   * 5xx or 429 answer {@code retries} times itself (Fabric8's default is 10, over about 20 s) before
   * its caller sees the failure.
   */
  public KubernetesClient client(ApiLink link, int retries) {
    String url = link != null ? link.url() : client.getConfiguration().getMasterUrl();
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
        .withMasterUrl(url)
        .withNamespace("test")
        .withHttp2Disable(true)
        .withRequestRetryBackoffLimit(retries)
        .withRequestRetryBackoffInterval(100)
        .build()).build();
  }

  /** Creates or replaces a Secret with these plain values (written as base64 data). */
  public Secret putSecret(String namespace, String name, Map<String, String> values) {
    Map<String, String> data = new LinkedHashMap<>();
    values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withData(data).build();
    return client.secrets().inNamespace(namespace).resource(secret).createOr(op -> op.update());
  }

  /** Plain values of a Secret, or {@code null} when it does not exist. */
  public Map<String, String> secretValues(String namespace, String name) {
    Secret s = client.secrets().inNamespace(namespace).withName(name).get();
    if (s == null) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (s.getData() != null) {
      s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
