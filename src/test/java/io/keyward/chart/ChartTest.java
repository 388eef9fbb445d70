package io.keyward.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart as a platform engineer gets it: real {@code helm lint --strict} and
 * {@code helm template} (helm-java's native binding, offline), the rendered objects parsed into
 * Fabric8 types and checked for what the cluster would enforce.
 */
class ChartTest {
  static final Path CHART = Path.of("charts/keyward");
  static final String RELEASE = "keyward";
  static final String NAMESPACE = "keyward-system";

  /** One RBAC rule, compared as a set of groups, resources and verbs in the order the chart lists them. */
  record Rule(List<String> apiGroups, List<String> resources, List<String> verbs) {
    static Rule of(PolicyRule r) {
      assertThat(r.getResourceNames()).as("rules name no single object").isNullOrEmpty();
      return new Rule(r.getApiGroups(), r.getResources(), r.getVerbs());
    }
  }

  /** What the operator does in a namespace it watches (DESIGN §2, §3, §5). */
  static final List<Rule> NAMESPACE_RULES = List.of(
      new Rule(List.of("keyward.io"), List.of("apiconnectors"), List.of("get", "list", "watch", "patch")),
      new Rule(List.of("keyward.io"), List.of("apiconnectors/status"), List.of("get", "patch", "update")),
      new Rule(List.of(""), List.of("secrets"),
          List.of("get", "list", "watch", "create", "update")),
      new Rule(List.of(""), List.of("configmaps"),
          List.of("get", "list", "watch", "create", "update")),
      new Rule(List.of(""), List.of("events"), List.of("create", "patch")),
      new Rule(List.of("events.k8s.io"), List.of("events"), List.of("create", "patch")));
  /** With rollouts.enabled, in every watched namespace: read and patch the workloads, list their Pods (issue 17). */
  static final List<Rule> ROLLOUT_RULES = List.of(
      new Rule(List.of("apps"), List.of("deployments", "statefulsets", "daemonsets"), List.of("get", "list", "patch")),
      new Rule(List.of("argoproj.io"), List.of("rollouts"), List.of("get", "list", "patch")),
      new Rule(List.of(""), List.of("pods"), List.of("list")));
  static final Rule LEADER_ELECTION_CHECK =
      new Rule(List.of("authorization.k8s.io"), List.of("selfsubjectrulesreviews"), List.of("create"));
  /** ApiProviders are cluster-scoped: read wherever the operator runs (issue 18). */
  static final Rule PROVIDERS = new Rule(List.of("keyward.io"), List.of("apiproviders"), List.of("get", "list", "watch"));
  static final Rule LEASES = new Rule(List.of("coordination.k8s.io"), List.of("leases"), List.of("get", "create", "update"));

  /** The rendered manifests of one {@code helm template}. */
  record Rendered(List<HasMetadata> objects) {
    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
      return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
      return find(type, name).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name
          + " among " + objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()));
    }

    List<GenericKubernetesResource> ofKind(String kind) {
      return all(GenericKubernetesResource.class).stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    Deployment deployment() {
      return get(Deployment.class, RELEASE);
    }

    Container container() {
      return deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    }
  }

  static Rendered render(Object... setPairs) {
    return render(RELEASE, null, setPairs);
  }

  /** {@code helm template <release>} with a values file (for values --set would split at commas) and --set pairs. */
  static Rendered render(String release, Path valuesFile, Object... setPairs) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < setPairs.length; i += 2) {
      values.put((String) setPairs[i], setPairs[i + 1]);
    }
    var template = new Helm(CHART).template().withName(release).withNamespace(NAMESPACE);
    if (valuesFile != null) {
      template.withValuesFile(valuesFile);
    }
    values.forEach(template::set);
    String manifests = template.call();
    var serialization = new KubernetesSerialization();
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : manifests.split("(?m)^---\\s*$")) {
      if (document.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
        continue;
      }
      objects.add(serialization.unmarshal(document, HasMetadata.class));
    }
    return new Rendered(objects);
  }

  static List<Rule> rules(List<PolicyRule> rules) {
    return rules.stream().map(Rule::of).toList();
  }

  static List<String> args(Rendered r) {
    return r.container().getArgs();
  }

  /** {@code keyward run} parsing the rendered args: the chart renders only options the CLI declares. */
  static picocli.CommandLine.ParseResult parseWithTheCli(Rendered r) {
    return new picocli.CommandLine(new io.keyward.Keyward()).parseArgs(args(r).toArray(String[]::new));
  }

  @Test
  void lintStrictPasses() {
    var result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  @Test
  void chartCrdsAreByteIdenticalToTopLevelCrds() throws Exception {
    var crds = List.of("apiconnectors.keyward.io-v1.yml", "apiproviders.keyward.io-v1.yml");
    for (String crd : crds) {
      Path topLevel = Path.of("crds").resolve(crd);
      Path inChart = CHART.resolve("crds").resolve(crd);
      assertThat(Files.readAllBytes(inChart))
          .as("charts/keyward/crds/ is stale: cp " + topLevel + " " + inChart)
          .isEqualTo(Files.readAllBytes(topLevel));
    }
    try (var files = Files.list(CHART.resolve("crds"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(crds);
    }
  }

  @Test
  void defaultsGrantExactlyWhatTheOperatorDoesClusterWide() {
    var r = render();
    var role = r.get(ClusterRole.class, RELEASE);
    var expected = new ArrayList<>(NAMESPACE_RULES);
    expected.add(PROVIDERS);
    expected.add(LEADER_ELECTION_CHECK);
    assertThat(rules(role.getRules())).containsExactlyElementsOf(expected);
    assertThat(r.all(ClusterRole.class)).as("no other cluster-wide role").hasSize(1);

    var binding = r.get(ClusterRoleBinding.class, RELEASE);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo(RELEASE);
    assertThat(binding.getSubjects()).extracting(Subject::getKind, Subject::getName, Subject::getNamespace)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("ServiceAccount", RELEASE, NAMESPACE));
    assertThat(r.get(ServiceAccount.class, RELEASE).getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(r.deployment().getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(RELEASE);
  }

  @Test
  void leasesOnlyInTheReleaseNamespace() {
    var r = render();
    var leaseRoles = r.all(Role.class);
    assertThat(leaseRoles).singleElement().satisfies(role -> {
      assertThat(role.getMetadata().getName()).isEqualTo(RELEASE + "-leader-election");
      assertThat(role.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
      assertThat(rules(role.getRules())).containsExactly(LEASES);
    });
    var binding = r.get(RoleBinding.class, RELEASE + "-leader-election");
    assertThat(binding.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(binding.getRoleRef().getName()).isEqualTo(RELEASE + "-leader-election");
    assertThat(binding.getSubjects()).singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo(RELEASE));
    assertThat(r.all(ClusterRole.class).stream().flatMap(c -> c.getRules().stream()))
        .noneMatch(rule -> rule.getResources().contains("leases"));
  }

  @Test
  void defaultsRunTwoReplicasThatElectALeader() {
    var r = render();
    var deployment = r.deployment();
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getStrategy()).as("rolling update: the Lease keeps one writer").isNull();
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(45L);

    Container c = r.container();
    assertThat(c.getImage()).isEqualTo("ghcr.io/keyward/keyward:0.1.0");
    assertThat(c.getCommand()).containsExactly("java", "-jar", "/app/keyward.jar");
    assertThat(c.getArgs()).containsExactly("run",
        "--default-token-lifetime", "1h",
        "--leader-election-namespace", NAMESPACE,
        "--lease-name", RELEASE,
        "--http-port", "8080",
        "--probe-port", "8081",
        "--crypto-provider", "auto",
        "--http-timeout", "30s",
        "--max-calls-per-host", "4",
        "--max-issuances-per-namespace", "10",
        "--reconcile-threads", "50",
        "--log-format", "text",
        "--host-requests-per-second", "10", "--host-burst", "20",
        "--max-concurrent-rollouts", "5", "--revocation-timeout", "5m");
    assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("POD_NAME")).singleElement()
        .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name"));
  }

  @Test
  void probesUseAPortOfTheirOwn() {
    Container c = render().container();
    assertThat(c.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("http:8080", "probes:8081");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("probes");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("probes");
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getStartupProbe().getHttpGet().getPort().getStrVal()).isEqualTo("probes");
    assertThat(args(render("probePort", 9090))).containsSubsequence("--probe-port", "9090");
  }

  @Test
  void runsNonRootWithAReadOnlyRootFilesystemAndAWritableTmp() {
    var r = render();
    var pod = r.deployment().getSpec().getTemplate().getSpec();
    var podSecurity = pod.getSecurityContext();
    assertThat(podSecurity.getRunAsNonRoot()).isTrue();
    assertThat(podSecurity.getRunAsUser()).isEqualTo(65532L);
    assertThat(podSecurity.getFsGroup()).isEqualTo(65532L);
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    var security = r.container().getSecurityContext();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();

    assertThat(r.container().getVolumeMounts()).singleElement().satisfies(m -> {
      assertThat(m.getMountPath()).isEqualTo("/tmp");
      assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(m.getName())).singleElement()
          .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    });
    var resources = r.container().getResources();
    assertThat(resources.getRequests()).containsKeys("cpu", "memory");
    assertThat(resources.getLimits()).containsKey("memory");
  }

  @Test
  void disruptionBudgetKeepsOneReplica() {
    var r = render();
    var pdb = r.get(PodDisruptionBudget.class, RELEASE);
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(r.deployment().getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void metricsServiceByDefaultAndNoServiceMonitor() {
    var r = render();
    var service = r.get(Service.class, RELEASE + "-metrics");
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getPort()).isEqualTo(8080);
      assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
    });
    assertThat(r.deployment().getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(r.ofKind("ServiceMonitor")).isEmpty();
  }

  @Test
  void singleWatchNamespaceGetsARoleAndNoClusterWideSecrets() {
    var r = render("watchNamespaces[0]", "sales");
    assertThat(args(r)).containsSubsequence("--namespace", "sales");

    var role = r.get(Role.class, RELEASE);
    assertThat(role.getMetadata().getNamespace()).isEqualTo("sales");
    assertThat(rules(role.getRules())).containsExactlyElementsOf(NAMESPACE_RULES);
    var binding = r.get(RoleBinding.class, RELEASE);
    assertThat(binding.getMetadata().getNamespace()).isEqualTo("sales");
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getName()).isEqualTo(RELEASE);
      assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
    });

    // cluster-wide, only the permission check JOSDK runs before electing and reading the cluster-scoped ApiProviders
    assertThat(r.all(ClusterRole.class)).extracting(c -> c.getMetadata().getName(), c -> rules(c.getRules()))
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(RELEASE + "-providers", List.of(PROVIDERS)),
            org.assertj.core.groups.Tuple.tuple(RELEASE + "-leader-election-check", List.of(LEADER_ELECTION_CHECK)));
    assertThat(r.all(ClusterRoleBinding.class)).extracting(b -> b.getRoleRef().getName())
        .containsExactlyInAnyOrder(RELEASE + "-providers", RELEASE + "-leader-election-check");
    assertThat(r.get(ClusterRoleBinding.class, RELEASE + "-providers").getSubjects()).singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo(RELEASE));
    // the Lease role stays in the release namespace, apart from the watched one
    assertThat(r.get(Role.class, RELEASE + "-leader-election").getMetadata().getNamespace()).isEqualTo(NAMESPACE);
  }

  @Test
  void severalWatchNamespacesGetOneRoleEachAndOneFlag() {
    var r = render("watchNamespaces[0]", "sales", "watchNamespaces[1]", "finance");
    assertThat(args(r)).containsSubsequence("--namespace", "sales,finance");
    assertThat(r.all(Role.class)).filteredOn(role -> role.getMetadata().getName().equals(RELEASE))
        .extracting(role -> role.getMetadata().getNamespace()).containsExactlyInAnyOrder("sales", "finance");
    assertThat(r.all(RoleBinding.class)).filteredOn(b -> b.getMetadata().getName().equals(RELEASE))
        .extracting(b -> b.getMetadata().getNamespace()).containsExactlyInAnyOrder("sales", "finance");
  }

  @Test
  void egressValuesBecomeTheOperatorsFlagsAndTheCliAcceptsEveryRenderedFlag() {
    assertThat(args(render())).noneMatch(a -> a.startsWith("--egress"))
        .containsSubsequence("--host-requests-per-second", "10", "--host-burst", "20");
    var r = render("egress.allowPlainHttp", true, "egress.allow[0]", "keycloak.auth.svc.cluster.local",
        "egress.allow[1]", "10.0.5.0/24", "egress.deny[0]", "10.244.0.0/16", "egress.deny[1]", "10.96.0.0/12");
    assertThat(args(r)).contains("--egress-allow-plain-http")
        .containsSubsequence("--egress-allow", "keycloak.auth.svc.cluster.local,10.0.5.0/24")
        .containsSubsequence("--egress-deny", "10.244.0.0/16,10.96.0.0/12");
    // every flag the chart renders is one `keyward run` knows
    var parsed = parseWithTheCli(r);
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("run");
    assertThat(parsed.subcommand().matchedOptionValue("--egress-deny", List.<String>of()))
        .containsExactly("10.244.0.0/16", "10.96.0.0/12");
  }

  @Test
  void egressEntriesWithCommasOrSpacesFailAtInstall() {
    assertThatThrownBy(() -> render("egress.deny[0]", "10.0.0.0/8 10.1.0.0/16"))
        .hasMessageContaining("egress");
  }

  @Test
  void metricsDisabledRendersNoServiceAndNoServiceMonitor() {
    var r = render("metrics.enabled", false);
    assertThat(r.all(Service.class)).isEmpty();
    assertThat(r.ofKind("ServiceMonitor")).isEmpty();
    assertThat(r.container().getReadinessProbe().getHttpGet().getPath()).as("probes stay").isEqualTo("/readyz");
  }

  @Test
  @SuppressWarnings("unchecked")
  void serviceMonitorScrapesTheMetricsService() {
    var r = render("metrics.serviceMonitor.enabled", true, "metrics.serviceMonitor.labels.release", "prometheus",
        "metrics.serviceMonitor.interval", "15s");
    var monitor = r.ofKind("ServiceMonitor");
    assertThat(monitor).singleElement().satisfies(m -> {
      assertThat(m.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
      assertThat(m.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
      assertThat(m.getMetadata().getLabels()).containsEntry("release", "prometheus");
      Map<String, Object> spec = (Map<String, Object>) m.getAdditionalProperties().get("spec");
      var endpoints = (List<Map<String, Object>>) spec.get("endpoints");
      assertThat(endpoints).singleElement().satisfies(e -> {
        assertThat(e).containsEntry("port", "http").containsEntry("path", "/metrics").containsEntry("interval", "15s");
      });
      var selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
      assertThat(r.get(Service.class, RELEASE + "-metrics").getMetadata().getLabels()).containsAllEntriesOf(selector);
    });
  }

  @Test
  void twoReplicasWithoutLeaderElectionRefuseToRender() {
    assertThatThrownBy(() -> render("leaderElection.enabled", false))
        .hasMessageContaining("replicas is 2 but leaderElection.enabled is false")
        .hasMessageContaining("Enable leaderElection or set replicas to 1");
  }

  @Test
  void oneReplicaWithoutLeaderElectionIsOneWriterAtATime() {
    var r = render("replicas", 1, "leaderElection.enabled", false);
    assertThat(args(r)).doesNotContain("--leader-election-namespace", "--lease-name");
    assertThat(r.deployment().getSpec().getStrategy().getType())
        .as("no rolling update: two pods side by side would both write").isEqualTo("Recreate");
    assertThat(r.all(Role.class)).isEmpty();
    var expected = new ArrayList<>(NAMESPACE_RULES);
    expected.add(PROVIDERS);
    assertThat(rules(r.get(ClusterRole.class, RELEASE).getRules())).containsExactlyElementsOf(expected);
    assertThat(r.all(PodDisruptionBudget.class)).as("minAvailable 1 of 1 would block node drains").isEmpty();
  }

  @Test
  void serviceMonitorWithoutMetricsRefusesToRender() {
    assertThatThrownBy(() -> render("metrics.enabled", false, "metrics.serviceMonitor.enabled", true))
        .hasMessageContaining("metrics.serviceMonitor.enabled needs metrics.enabled");
  }

  @Test
  void valuesTheOperatorWouldRejectFailAtInstall() {
    assertThatThrownBy(() -> render("defaultTokenLifetime", "1 hour"))
        .hasMessageContaining("defaultTokenLifetime");
    assertThatThrownBy(() -> render("watchNamespaces", "sales"))
        .hasMessageContaining("watchNamespaces");
    assertThatThrownBy(() -> render("cryptoProvider", "openssl"))
        .hasMessageContaining("cryptoProvider");
    assertThatThrownBy(() -> render("httpTimeout", "30 seconds"))
        .hasMessageContaining("httpTimeout");
    assertThatThrownBy(() -> render("maxCallsPerHost", 0))
        .hasMessageContaining("maxCallsPerHost");
    assertThatThrownBy(() -> render("maxIssuancesPerNamespace", 0))
        .hasMessageContaining("maxIssuancesPerNamespace");
  }

  @Test
  void outboundCallsAreBoundedByDefaultAndFollowValues() {
    assertThat(args(render())).containsSubsequence("--http-timeout", "30s")
        .containsSubsequence("--max-calls-per-host", "4");
    assertThat(args(render("httpTimeout", "10s", "maxCallsPerHost", 8, "maxIssuancesPerNamespace", 20,
        "reconcileThreads", 16)))
        .containsSubsequence("--reconcile-threads", "16")
        .containsSubsequence("--log-format", "text")
        .containsSubsequence("--http-timeout", "10s")
        .containsSubsequence("--max-calls-per-host", "8")
        .containsSubsequence("--max-issuances-per-namespace", "20");
  }

  /** NOTES.txt, as {@code helm install} prints it (a client-only dry run: no cluster). */
  static String notes(Object... setPairs) {
    var install = new Helm(CHART).install().withName(RELEASE).withNamespace(NAMESPACE)
        .clientOnly().dryRun().withDryRunOption(DryRun.CLIENT);
    for (int i = 0; i < setPairs.length; i += 2) {
      install.set((String) setPairs[i], setPairs[i + 1]);
    }
    String output = install.call().getOutput();
    assertThat(output).contains("NOTES:");
    return output.substring(output.indexOf("NOTES:"));
  }

  @Test
  void notesTellTheNextStepAndWhereMetricsAre() {
    assertThat(notes())
        .contains("It manages ApiConnectors in all namespaces.")
        .contains("kind: ApiConnector")
        .contains("kubectl get apiconnectors -A")
        .contains("kubectl -n keyward-system get lease keyward")
        .contains("http://keyward-metrics.keyward-system.svc:8080/metrics")
        .contains("kubectl apply -f charts/keyward/crds/");
    assertThat(notes("watchNamespaces[0]", "sales", "metrics.enabled", false))
        .contains("It manages ApiConnectors in: sales.")
        .doesNotContain("/metrics");
  }

  @Test
  void imageTagAndLifetimeFollowValues() {
    var r = render("image.tag", "0.2.0-rc.1", "defaultTokenLifetime", "30m", "cryptoProvider", "jdk");
    assertThat(r.container().getImage()).isEqualTo("ghcr.io/keyward/keyward:0.2.0-rc.1");
    assertThat(args(r)).containsSubsequence("--default-token-lifetime", "30m")
        .containsSubsequence("--crypto-provider", "jdk");
  }

  @Test
  void strictSecretReferencesAreOffByDefaultAndOneValueTurnsThemOn() {
    assertThat(args(render())).doesNotContain("--require-secret-label");
    assertThat(args(render("requireSecretLabel", true))).contains("--require-secret-label");
    assertThatThrownBy(() -> render("requireSecretLabel", "yes")).hasMessageContaining("requireSecretLabel");
  }

  /** Every RBAC rule the release renders, cluster-wide and namespaced. */
  static List<Rule> allRules(List<ClusterRole> roles) {
    return roles.stream().flatMap(c -> rules(c.getRules()).stream()).toList();
  }

  static List<Rule> allRules(Rendered r) {
    var all = new ArrayList<Rule>();
    r.all(ClusterRole.class).forEach(c -> all.addAll(rules(c.getRules())));
    r.all(Role.class).forEach(role -> all.addAll(rules(role.getRules())));
    return all;
  }

  @Test
  void noAccessToWorkloadsOrPodsUnlessRolloutsAreEnabled() {
    for (var r : List.of(render(), render("watchNamespaces[0]", "sales"), render("rollouts.maxConcurrent", 20))) {
      assertThat(allRules(r)).doesNotContainAnyElementsOf(ROLLOUT_RULES)
          .noneMatch(rule -> rule.apiGroups().contains("apps") || rule.apiGroups().contains("argoproj.io")
              || rule.resources().contains("pods"));
    }
  }

  @Test
  void rolloutsEnabledGrantsExactlyGetListPatchOnWorkloadsAndListOnPodsClusterWide() {
    var r = render("rollouts.enabled", true);
    var expected = new ArrayList<>(NAMESPACE_RULES);
    expected.addAll(ROLLOUT_RULES);
    expected.add(PROVIDERS);
    expected.add(LEADER_ELECTION_CHECK);
    assertThat(rules(r.get(ClusterRole.class, RELEASE).getRules())).containsExactlyElementsOf(expected);
    assertThat(r.all(ClusterRole.class)).as("no other cluster-wide role").hasSize(1);
    assertThat(rules(r.get(Role.class, RELEASE + "-leader-election").getRules()))
        .as("the Lease role gains nothing").containsExactly(LEASES);
    assertThat(allRules(r)).as("workloads and Pods are read on demand, never watched, updated, created or deleted")
        .filteredOn(rule -> rule.apiGroups().contains("apps") || rule.apiGroups().contains("argoproj.io")
            || rule.resources().contains("pods"))
        .containsExactlyElementsOf(ROLLOUT_RULES);
  }

  @Test
  void rolloutsEnabledGrantsTheSameInEachWatchedNamespaceOnly() {
    var r = render("rollouts.enabled", true, "watchNamespaces[0]", "sales", "watchNamespaces[1]", "finance");
    var expected = new ArrayList<>(NAMESPACE_RULES);
    expected.addAll(ROLLOUT_RULES);
    var roles = r.all(Role.class).stream().filter(role -> role.getMetadata().getName().equals(RELEASE)).toList();
    assertThat(roles).extracting(role -> role.getMetadata().getNamespace()).containsExactlyInAnyOrder("sales", "finance");
    assertThat(roles).allSatisfy(role -> assertThat(rules(role.getRules())).containsExactlyElementsOf(expected));
    assertThat(allRules(r.all(ClusterRole.class))).as("nothing of rollouts cluster-wide")
        .containsExactlyInAnyOrder(PROVIDERS, LEADER_ELECTION_CHECK);
  }

  @Test
  void maxConcurrentRolloutsIsAlwaysRenderedWithItsDefaultOrTheValue() {
    assertThat(args(render())).containsSubsequence("--max-concurrent-rollouts", "5");
    assertThat(args(render("rollouts.enabled", true))).containsSubsequence("--max-concurrent-rollouts", "5");
    assertThat(args(render("rollouts.maxConcurrent", 12))).as("rendered even with rollouts disabled")
        .containsSubsequence("--max-concurrent-rollouts", "12");
    assertThat(args(render("rollouts.enabled", true, "rollouts.maxConcurrent", 1)))
        .containsSubsequence("--max-concurrent-rollouts", "1");
    assertThat(args(render("rollouts.maxConcurrent", 12)).stream().filter("--max-concurrent-rollouts"::equals))
        .as("once").hasSize(1);
  }

  @Test
  void rolloutValuesOfTheWrongShapeFailAtInstall() {
    assertThatThrownBy(() -> render("rollouts.maxConcurrent", 0))
        .hasMessageContaining("rollouts").hasMessageContaining("maxConcurrent");
    assertThatThrownBy(() -> render("rollouts.maxConcurrent", -1)).hasMessageContaining("maxConcurrent");
    assertThatThrownBy(() -> render("rollouts.maxConcurrent", "five")).hasMessageContaining("maxConcurrent");
    assertThatThrownBy(() -> render("rollouts.enabled", "yes")).hasMessageContaining("rollouts");
    assertThatThrownBy(() -> render("rollouts.maxConcurent", 3)).as("a misspelt key")
        .hasMessageContaining("'maxConcurent' not allowed");
  }

  /** The values that turn the NetworkPolicy on: it needs the API server's addresses. */
  static final Object[] NETWORK_POLICY = {
      "networkPolicy.enabled", true,
      "networkPolicy.apiServer.cidrs[0]", "10.0.0.10/32",
      "networkPolicy.apiServer.cidrs[1]", "10.0.0.11/32",
      "networkPolicy.providers[0].to[0].ipBlock.cidr", "203.0.113.0/24",
      "networkPolicy.providers[0].ports[0].port", 443,
      "networkPolicy.providers[0].ports[0].protocol", "TCP"};

  static Object[] with(Object[] pairs, Object... more) {
    var all = new ArrayList<>(List.of(pairs));
    all.addAll(List.of(more));
    return all.toArray();
  }

  static NetworkPolicy networkPolicy(Rendered r) {
    assertThat(r.all(NetworkPolicy.class)).hasSize(1);
    return r.get(NetworkPolicy.class, RELEASE);
  }

  /** A rule's ports as protocol/port, e.g. UDP/53. */
  static List<String> ports(List<NetworkPolicyPort> ports) {
    return ports.stream().map(p -> p.getProtocol() + "/" + p.getPort().getIntVal()).toList();
  }

  static List<String> cidrs(NetworkPolicyEgressRule rule) {
    return rule.getTo().stream().map(NetworkPolicyPeer::getIpBlock).map(IPBlock::getCidr).toList();
  }

  @Test
  void noNetworkPolicyByDefault() {
    assertThat(render().all(NetworkPolicy.class)).isEmpty();
    assertThat(render("networkPolicy.apiServer.cidrs[0]", "10.0.0.10/32").all(NetworkPolicy.class))
        .as("filled in but not enabled").isEmpty();
  }

  @Test
  void networkPolicySelectsTheOperatorPodsAndLetsThemReachDnsTheApiServerAndTheProvidersOnly() {
    var r = render(NETWORK_POLICY);
    var policy = networkPolicy(r);
    assertThat(policy.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(policy.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "keyward");
    var podSelector = policy.getSpec().getPodSelector();
    assertThat(podSelector.getMatchExpressions()).isNullOrEmpty();
    assertThat(podSelector.getMatchLabels())
        .isEqualTo(r.deployment().getSpec().getSelector().getMatchLabels());
    assertThat(r.deployment().getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(podSelector.getMatchLabels());
    assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");

    var egress = policy.getSpec().getEgress();
    assertThat(egress).as("DNS, the API server, the one provider rule").hasSize(3);
    var dns = egress.get(0);
    assertThat(dns.getTo()).singleElement().satisfies(peer -> {
      assertThat(peer.getNamespaceSelector().getMatchLabels())
          .containsExactlyEntriesOf(Map.of("kubernetes.io/metadata.name", "kube-system"));
      assertThat(peer.getPodSelector().getMatchLabels()).containsExactlyEntriesOf(Map.of("k8s-app", "kube-dns"));
      assertThat(peer.getIpBlock()).isNull();
    });
    assertThat(ports(dns.getPorts())).containsExactly("UDP/53", "TCP/53");

    var apiServer = egress.get(1);
    assertThat(cidrs(apiServer)).containsExactly("10.0.0.10/32", "10.0.0.11/32");
    assertThat(ports(apiServer.getPorts())).containsExactly("TCP/443", "TCP/6443");

    var provider = egress.get(2);
    assertThat(cidrs(provider)).containsExactly("203.0.113.0/24");
    assertThat(ports(provider.getPorts())).containsExactly("TCP/443");
    assertThat(egress).as("no rule reaches everywhere")
        .allSatisfy(rule -> assertThat(rule.getTo()).isNotEmpty());
  }

  @Test
  void networkPolicySelectorsAndPortsFollowValues() {
    var r = render(with(NETWORK_POLICY,
        "networkPolicy.dns.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name", "dns",
        "networkPolicy.dns.podSelector.matchLabels.k8s-app", "coredns",
        "networkPolicy.dns.port", 5353,
        "networkPolicy.apiServer.ports[0]", 8443,
        "networkPolicy.providers[1].to[0].ipBlock.cidr", "0.0.0.0/0",
        "networkPolicy.providers[1].to[0].ipBlock.except[0]", "10.0.0.0/8",
        "networkPolicy.providers[1].ports[0].port", 8443));
    var egress = networkPolicy(r).getSpec().getEgress();
    assertThat(egress).hasSize(4);
    assertThat(egress.get(0).getTo()).singleElement().satisfies(peer -> {
      assertThat(peer.getNamespaceSelector().getMatchLabels()).containsExactlyEntriesOf(
          Map.of("kubernetes.io/metadata.name", "dns"));
      assertThat(peer.getPodSelector().getMatchLabels()).containsExactlyEntriesOf(Map.of("k8s-app", "coredns"));
    });
    assertThat(ports(egress.get(0).getPorts())).containsExactly("UDP/5353", "TCP/5353");
    assertThat(ports(egress.get(1).getPorts())).as("a list replaces the default").containsExactly("TCP/8443");
    assertThat(egress.get(3).getTo()).singleElement().satisfies(peer -> {
      assertThat(peer.getIpBlock().getCidr()).isEqualTo("0.0.0.0/0");
      assertThat(peer.getIpBlock().getExcept()).containsExactly("10.0.0.0/8");
    });
  }

  @Test
  void networkPolicyLetsInOnlyTheHttpAndProbePortsFromTheConfiguredNamespace() {
    var policy = networkPolicy(render(NETWORK_POLICY));
    assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
      assertThat(ports(rule.getPorts())).containsExactly("TCP/8080", "TCP/8081");
      assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
        assertThat(peer.getNamespaceSelector().getMatchLabels())
            .containsExactlyEntriesOf(Map.of("kubernetes.io/metadata.name", "monitoring"));
        assertThat(peer.getPodSelector()).as("every pod of that namespace").isNull();
        assertThat(peer.getIpBlock()).isNull();
      });
    });

    var configured = networkPolicy(render(with(NETWORK_POLICY,
        "httpPort", 9000, "probePort", 9001,
        "networkPolicy.ingress.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name", "observability",
        "networkPolicy.ingress.podSelector.matchLabels.app\\.kubernetes\\.io/name", "prometheus",
        "networkPolicy.ingress.extraFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name",
        "ingress-nginx")));
    assertThat(configured.getSpec().getIngress()).singleElement().satisfies(rule -> {
      assertThat(ports(rule.getPorts())).containsExactly("TCP/9000", "TCP/9001");
      assertThat(rule.getFrom()).hasSize(2);
      var scraper = rule.getFrom().get(0);
      assertThat(scraper.getNamespaceSelector().getMatchLabels())
          .containsExactlyEntriesOf(Map.of("kubernetes.io/metadata.name", "observability"));
      assertThat(scraper.getPodSelector().getMatchLabels()).as("and: those pods of that namespace")
          .containsExactlyEntriesOf(Map.of("app.kubernetes.io/name", "prometheus"));
      assertThat(rule.getFrom().get(1).getNamespaceSelector().getMatchLabels())
          .containsExactlyEntriesOf(Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
    });
  }

  @Test
  void networkPolicyWithNoIngressPeerLetsNoPodIn() {
    var policy = networkPolicy(render(with(NETWORK_POLICY, "networkPolicy.ingress.namespaceSelector", "null")));
    assertThat(policy.getSpec().getPolicyTypes()).as("still isolated for ingress").contains("Ingress");
    assertThat(policy.getSpec().getIngress()).isNullOrEmpty();
  }

  @Test
  void networkPolicyWithoutTheApiServerOrDnsRefusesToRender() {
    assertThatThrownBy(() -> render("networkPolicy.enabled", true))
        .hasMessageContaining("networkPolicy.enabled needs networkPolicy.apiServer.cidrs")
        .hasMessageContaining("kubectl get endpoints kubernetes -n default");
    assertThatThrownBy(() -> render(with(NETWORK_POLICY,
        "networkPolicy.dns.namespaceSelector", "null", "networkPolicy.dns.podSelector", "null")))
        .as("a DNS rule to nowhere").hasMessageContaining("networkPolicy.dns needs a namespaceSelector or a podSelector");
  }

  @Test
  void lintStrictPassesWithTheNetworkPolicyEnabled(@TempDir Path dir) throws Exception {
    Path chart = dir.resolve("keyward");
    try (var files = Files.walk(CHART)) {
      for (Path source : files.sorted(Comparator.naturalOrder()).toList()) {
        Path target = chart.resolve(CHART.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    @SuppressWarnings("unchecked")
    Map<String, Object> values = yaml.readValue(chart.resolve("values.yaml").toFile(), Map.class);
    @SuppressWarnings("unchecked")
    var networkPolicy = (Map<String, Object>) values.get("networkPolicy");
    networkPolicy.put("enabled", true);
    networkPolicy.put("apiServer", Map.of("cidrs", List.of("10.0.0.10/32"), "ports", List.of(6443)));
    networkPolicy.put("providers", List.of(Map.of(
        "to", List.of(Map.of("ipBlock", Map.of("cidr", "203.0.113.0/24"))),
        "ports", List.of(Map.of("port", 443, "protocol", "TCP")))));
    yaml.writeValue(chart.resolve("values.yaml").toFile(), values);

    var result = new Helm(chart).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    assertThat(new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE).call())
        .as("the copy lints with the policy rendered").contains("kind: NetworkPolicy");
  }

  @Test
  void networkPolicyValuesOfTheWrongShapeFailAtInstall() {
    assertThatThrownBy(() -> render("networkPolicy.enabled", "yes"))
        .hasMessageContaining("/networkPolicy/enabled");
    assertThatThrownBy(() -> render("networkPolicy.enabled", true, "networkPolicy.apiServer.cidrs", "10.0.0.10/32"))
        .as("a string, not a list").hasMessageContaining("/networkPolicy/apiServer/cidrs");
    assertThatThrownBy(() -> render(with(NETWORK_POLICY, "networkPolicy.apiServer.cidrs[0]", "10.0.0.10")))
        .as("an address, not a CIDR").hasMessageContaining("/networkPolicy/apiServer/cidrs/0");
    assertThatThrownBy(() -> render(with(NETWORK_POLICY, "networkPolicy.dns.port", "domain")))
        .hasMessageContaining("/networkPolicy/dns/port");
    assertThatThrownBy(() -> render(with(NETWORK_POLICY, "networkPolicy.providers[0].port", 443)))
        .as("a rule holds to and ports").hasMessageContaining("/networkPolicy/providers/0")
        .hasMessageContaining("'port' not allowed");
    assertThatThrownBy(() -> render(with(NETWORK_POLICY, "networkPolicy.apiServer.cidr", "10.0.0.10/32")))
        .as("a misspelt key").hasMessageContaining("'cidr' not allowed");
  }

  /** A values file that sets {@code connectorSelector} to {@code selector}, verbatim (commas and all). */
  static Path selectorValues(Path dir, String selector) throws Exception {
    Path file = Files.createTempFile(dir, "values", ".yaml");
    Files.writeString(file, "connectorSelector: " + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(selector) + "\n");
    return file;
  }

  @Test
  void noConnectorSelectorByDefault() {
    assertThat(args(render())).noneMatch(a -> a.startsWith("--connector-selector"));
    assertThat(notes()).doesNotContain("shard");
  }

  @Test
  void theConnectorSelectorBecomesTheOperatorsFlagAndTheCliAcceptsIt(@TempDir Path dir) throws Exception {
    var r = render(RELEASE, selectorValues(dir, "keyward.io/shard notin (b, c),tier=gold"));
    assertThat(args(r)).containsSubsequence("--connector-selector", "keyward.io/shard notin (b, c),tier=gold")
        .containsSubsequence("--lease-name", RELEASE);
    var parsed = parseWithTheCli(r);
    io.keyward.operator.ConnectorSelector selector = parsed.subcommand().matchedOptionValue("--connector-selector", null);
    assertThat(selector).hasToString("keyward.io/shard notin (b,c),tier=gold");
  }

  @Test
  void theChartAndTheOperatorAgreeOnWhatIsASelector(@TempDir Path dir) throws Exception {
    for (String valid : List.of("keyward.io/shard=b", "keyward.io/shard==b", "keyward.io/shard!=b", "!keyward.io/shard",
        "keyward.io/shard", "keyward.io/shard in (a,b)", "keyward.io/shard notin (b, c)", " team = payments , env != dev ",
        "keyward.io/shard in (,a)", "app.kubernetes.io/part-of=crm_v2.1", "k=")) {
      assertThat(args(render(RELEASE, selectorValues(dir, valid)))).as(valid).contains("--connector-selector");
      assertThat(io.keyward.operator.ConnectorSelector.parse(valid)).as(valid).isNotNull();
    }
    for (String invalid : List.of("keyward.io/shard=a b", "keyward.io/shard=a,", "keyward.io/shard>1", "keyward.io/shard in a",
        "keyward.io/shard in (a,b", "keyward.io/shard notin ()", "Keyward.IO/shard=a", "keyward.io/-shard=a",
        "keyward.io/shard=a/b", "=a", "!keyward.io/shard=a", "  ")) {
      assertThatThrownBy(() -> render(RELEASE, selectorValues(dir, invalid))).as(invalid)
          .hasMessageContaining("connectorSelector");
      assertThatThrownBy(() -> io.keyward.operator.ConnectorSelector.parse(invalid)).as(invalid)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void notesNameTheShard() {
    assertThat(notes("connectorSelector", "keyward.io/shard=b"))
        .contains("It manages ApiConnectors in all namespaces whose labels match keyward.io/shard=b.")
        .contains("a connector\nthat none matches is not refreshed")
        .contains("kubectl get apiconnectors -A -l 'keyward.io/shard=b'")
        .contains("kubectl -n keyward-system get lease keyward ");
  }

  /** Whether a matchLabels selector selects objects with these labels. */
  static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return labels.entrySet().containsAll(selector.entrySet());
  }

  /** Two shards as two releases in one namespace: nothing of one is an object of the other, or selects the other's pods. */
  @Test
  void twoReleasesInOneNamespaceHaveTheirOwnLeaseRbacServiceAndBudget(@TempDir Path dir) throws Exception {
    var a = render("keyward-a", selectorValues(dir, "keyward.io/shard!=b"), "metrics.serviceMonitor.enabled", true);
    var b = render("keyward-b", selectorValues(dir, "keyward.io/shard=b"), "metrics.serviceMonitor.enabled", true);
    java.util.function.Function<Rendered, java.util.Set<String>> names = r -> r.objects().stream()
        .map(o -> o.getKind() + "/" + java.util.Objects.toString(o.getMetadata().getNamespace(), "") + "/"
            + o.getMetadata().getName())
        .collect(java.util.stream.Collectors.toSet());
    assertThat(names.apply(a)).doesNotContainAnyElementsOf(names.apply(b));
    assertThat(names.apply(a)).contains("ClusterRole//keyward-a", "Role/keyward-system/keyward-a-leader-election",
        "Deployment/keyward-system/keyward-a",
        "Service/keyward-system/keyward-a-metrics", "PodDisruptionBudget/keyward-system/keyward-a");
    for (var pair : List.of(List.of(a, b), List.of(b, a))) {
      Deployment own = pair.get(0).all(Deployment.class).get(0);
      Deployment other = pair.get(1).all(Deployment.class).get(0);
      var ownPods = own.getSpec().getTemplate().getMetadata().getLabels();
      var otherPods = other.getSpec().getTemplate().getMetadata().getLabels();
      assertThat(selects(own.getSpec().getSelector().getMatchLabels(), ownPods)).isTrue();
      assertThat(selects(own.getSpec().getSelector().getMatchLabels(), otherPods)).as("the other release's pods").isFalse();
      var service = pair.get(0).all(Service.class).get(0);
      assertThat(selects(service.getSpec().getSelector(), ownPods)).isTrue();
      assertThat(selects(service.getSpec().getSelector(), otherPods)).as("the metrics Service selects its own pods only")
          .isFalse();
      var pdb = pair.get(0).all(PodDisruptionBudget.class).get(0);
      assertThat(selects(pdb.getSpec().getSelector().getMatchLabels(), otherPods)).isFalse();
    }
    var argsA = a.all(Deployment.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
    var argsB = b.all(Deployment.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
    assertThat(argsA).containsSubsequence("--connector-selector", "keyward.io/shard!=b")
        .containsSubsequence("--lease-name", "keyward-a");
    assertThat(argsB).containsSubsequence("--connector-selector", "keyward.io/shard=b")
        .containsSubsequence("--lease-name", "keyward-b");
    assertThat(a.get(RoleBinding.class, "keyward-a-leader-election").getSubjects()).singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("keyward-a"));
  }
}
