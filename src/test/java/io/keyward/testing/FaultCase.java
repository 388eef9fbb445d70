package io.keyward.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test as the case of one row of the fault matrix in {@code docs/reliability.md}: its value
 * is the row's id (the first column, e.g. {@code api-409-state}). {@code ReliabilityTableTest} fails
 * for a row without a case and for a case without a row.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface FaultCase {
  /** The id of the row this test proves. */
  String value();
}
