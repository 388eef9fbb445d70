/**
 * The Kubernetes side: the reconciler that orchestrates (gather, decide, issue, persist state,
 * project, status, reschedule), and the small classes it orchestrates. The only package besides
 * the entry points that knows Fabric8 and JOSDK.
 */
package io.keyward.operator;
