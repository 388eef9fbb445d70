{{/* The chart name, truncated to the 63 characters a label value allows. */}}
{{- define "keyward.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of the release's objects (Deployment, ServiceAccount, roles, the leader-election Lease).
The release name alone when it already contains the chart name.
*/}}
{{- define "keyward.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "keyward.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "keyward.selectorLabels" -}}
app.kubernetes.io/name: {{ include "keyward.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "keyward.labels" -}}
helm.sh/chart: {{ include "keyward.chart" . }}
{{ include "keyward.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: keyward
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "keyward.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "keyward.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "keyward.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Lease that replicas elect a leader through. */}}
{{- define "keyward.leaseName" -}}
{{- include "keyward.fullname" . }}
{{- end }}

{{/*
Checks of values that would render a chart that installs but misbehaves.
Included by the Deployment, so `helm template` and `helm install` stop with the message.
*/}}
{{- define "keyward.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) }}
{{- fail (printf "replicas is %d but leaderElection.enabled is false: every replica would refresh the same credentials and spend rotating refresh tokens twice. Enable leaderElection or set replicas to 1." (int .Values.replicas)) }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled: the ServiceMonitor scrapes the metrics Service." }}
{{- end }}
{{- if .Values.networkPolicy.enabled }}
{{- if not .Values.networkPolicy.apiServer.cidrs }}
{{- fail "networkPolicy.enabled needs networkPolicy.apiServer.cidrs: without them the operator cannot reach the Kubernetes API server. List its addresses (kubectl get endpoints kubernetes -n default), e.g. --set networkPolicy.apiServer.cidrs={10.0.0.10/32}." }}
{{- end }}
{{- if not (or .Values.networkPolicy.dns.namespaceSelector .Values.networkPolicy.dns.podSelector) }}
{{- fail "networkPolicy.dns needs a namespaceSelector or a podSelector: the operator resolves provider hosts through the cluster's DNS." }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The rules for ApiConnectors, Secrets, ConfigMaps and Events, and with rollouts.enabled the workloads
it may restart: what the operator does in a namespace it watches. Used by the ClusterRole (all
namespaces) and by each namespaced Role.
*/}}
{{- define "keyward.rules" -}}
- apiGroups: ["keyward.io"]
  resources: ["apiconnectors"]
  # patch: only metadata.finalizers, for connectors of deletionPolicy Revoke
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["keyward.io"]
  resources: ["apiconnectors/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "update"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- if .Values.rollouts.enabled }}
# spec.rollout: read the target workloads on demand (never watched) and patch their pod template's
# rollout.keyward.io/<connector> annotation; list Pods to see whether they started after the value.
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  verbs: ["get", "list", "patch"]
- apiGroups: ["argoproj.io"]
  resources: ["rollouts"]
  verbs: ["get", "list", "patch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
{{- end }}
{{- end }}

{{/*
ApiProviders are cluster-scoped provider profiles (issue 18): read and watched wherever the operator
runs, so a ClusterRole in every mode. They hold no secret values.
*/}}
{{- define "keyward.providerRules" -}}
- apiGroups: ["keyward.io"]
  resources: ["apiproviders"]
  verbs: ["get", "list", "watch"]
{{- end }}

{{/* JOSDK checks its Lease permissions with a SelfSubjectRulesReview before it starts electing. */}}
{{- define "keyward.leaderElectionCheckRules" -}}
- apiGroups: ["authorization.k8s.io"]
  resources: ["selfsubjectrulesreviews"]
  verbs: ["create"]
{{- end }}
