/**
 * Provider profiles: each known provider's settings and quirks, written once as data (one YAML file
 * per built-in provider under {@code io/keyward/providers/}), and the merge of a profile with a
 * connector's own spec. The issuers never see a profile, only the merged spec. No Kubernetes types.
 */
package io.keyward.provider;
