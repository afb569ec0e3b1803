// SPDX-License-Identifier: Apache-2.0
package org.annal.storage;

import java.util.regex.Pattern;

/**
 * The internal id of a blob: lower-case hex and dashes only, so that it can never name a path
 * outside the store (ARCHITECTURE invariant 6).
 */
public record BlobKey(String value) {
  private static final Pattern SAFE = Pattern.compile("[0-9a-f][0-9a-f-]{7,127}");

  public BlobKey {
    if (value == null || !SAFE.matcher(value).matches()) {
      throw new IllegalArgumentException("not a blob key: " + value);
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
