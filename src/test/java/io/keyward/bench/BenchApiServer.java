package io.keyward.bench;

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
import io.keyward.api.v1alpha1.ApiConnector;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;

/**
 * The API server of the benchmark: the Fabric8 mock server in CRUD mode on 127.0.0.1, as the
 * project's operator tests run it ({@code testing/MockCluster}), with the ApiConnector CRD installed
 * and a decorator on its dispatcher that counts every request by verb and resource
 * ({@link RequestLog}). The mock keeps every request it served in a queue (bodies included); a
 * daemon thread empties it, so that the benchmark's heap does not grow with the requests.
 */
final class BenchApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final RequestLog log = new RequestLog();
  private final Thread drain;
  private volatile boolean open = true;

  /** @param indexed with {@link IndexedCrudDispatcher}'s index by name, else the mock's dispatcher as it is */
  BenchApiServer(boolean indexed) throws IOException {
    var crud = indexed ? new IndexedCrudDispatcher() : new KubernetesCrudDispatcher();
    Dispatcher counting = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        long start = System.nanoTime();
        MockResponse response;
        try {
          response = crud.dispatch(request);
        } catch (RuntimeException e) {
          // the mock throws where a JSON patch does not apply (and the request then never gets an answer):
          // kube-apiserver answers 422, and so does this server
          response = new MockResponse().setResponseCode(422).setHeader("Content-Type", "application/json")
              .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Invalid\","
                  + "\"message\":\"the patch does not apply\",\"code\":422}");
        }
        log.record(request.getMethod(), request.getPath(), request.getHeader("User-Agent"),
            request.getHeader("Content-Type"), response == null ? 404 : response.code(), System.nanoTime() - start);
        return response;
      }

      @Override
      public void shutdown() {
        crud.shutdown();
      }
    };
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), counting, false);
    server.init(InetAddress.getByName("127.0.0.1"), 0);
    drain = new Thread(() -> {
      while (open) {
        try {
          server.takeRequest(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-api-drain");
    drain.setDaemon(true);
    drain.start();
    try (KubernetesClient admin = client(); InputStream crd =
        BenchApiServer.class.getResourceAsStream("/META-INF/fabric8/apiconnectors.keyward.io-v1.yml")) {
      if (crd == null) {
        throw new IllegalStateException("the generated CRD is not on the classpath: run mvn test-compile first");
      }
      admin.apiextensions().v1().customResourceDefinitions()
          .resource(admin.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  RequestLog log() {
    return log;
  }

  /**
   * A client of the benchmark (user agent {@value RequestLog#BENCH_AGENT}, so that its requests are told apart),
   * on HTTP/1.1 as the operator is ({@link OperatorProcess}).
   */
  KubernetesClient client() {
    KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withNamespace("default")
        .withHttp2Disable(true)
        .withUserAgent(RequestLog.BENCH_AGENT)
        .withRequestRetryBackoffLimit(3)
        .withRequestRetryBackoffInterval(100)
        .withRequestTimeout(60_000)
        .withConnectionTimeout(10_000)
        .build()).build();
    client.getKubernetesSerialization().registerKubernetesResource(ApiConnector.class);
    return client;
  }

  /** A kubeconfig for the operator process (no credentials: the server listens on loopback only). */
  Path writeKubeconfig(Path path) throws IOException {
    Files.writeString(path, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: bench
          cluster:
            server: %s
        users:
        - name: bench
          user: {}
        contexts:
        - name: bench
          context: {cluster: bench, user: bench, namespace: default}
        current-context: bench
        """.formatted(url()));
    return path;
  }

  @Override
  public void close() {
    open = false;
    drain.interrupt();
    server.destroy();
  }
}
