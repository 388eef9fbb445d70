/**
 * Whether a workload that reads a connector's credential once (environment variables, a client built
 * at start-up) needs a restart for the value published now: pure decisions, no Kubernetes types. The
 * operator side ({@code io.keyward.operator.Rollouts}) reads the workloads and their pods and applies
 * the verdicts.
 */
package io.keyward.rollout;
