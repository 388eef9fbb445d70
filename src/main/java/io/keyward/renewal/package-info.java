/**
 * When to refresh a credential and how long to wait after a failure (DESIGN §4): the renewal
 * point ({@link io.keyward.renewal.RenewalSchedule}), the backoff ({@link io.keyward.renewal.Backoff})
 * and the ordered "is a refresh due?" checks ({@link io.keyward.renewal.RefreshChecks}). Pure
 * functions of their arguments: no Kubernetes types, and time always comes in as an argument,
 * never from a clock.
 */
package io.keyward.renewal;
