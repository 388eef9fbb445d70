/**
 * When to refresh and how long to wait after a failure: pure functions of their arguments (times
 * come in as arguments, never from a clock), table-tested.
 */
package io.keyward.renewal;
