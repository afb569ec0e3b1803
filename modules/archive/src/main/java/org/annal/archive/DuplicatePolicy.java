// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

/**
 * What the Study entity does when a SOP Instance UID it already holds arrives again with different
 * data set bytes ({@code annal.archive.duplicate-policy}). Identical bytes are always acknowledged
 * and never stored twice, whatever the policy.
 */
public enum DuplicatePolicy {
  /** Keep the instance on record; discard the new bytes; answer a warning. The default. */
  KEEP_FIRST,
  /** The new bytes become the instance on record; the earlier blob stays, superseded. */
  REPLACE;

  /** Parses the config spelling ({@code keep-first}, {@code replace}). */
  public static DuplicatePolicy fromConfig(String value) {
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "keep-first" -> KEEP_FIRST;
      case "replace" -> REPLACE;
      default -> throw new IllegalArgumentException(
          "annal.archive.duplicate-policy must be keep-first or replace, not " + value);
    };
  }
}
