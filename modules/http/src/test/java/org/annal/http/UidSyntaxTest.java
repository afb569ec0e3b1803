// SPDX-License-Identifier: Apache-2.0
package org.annal.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class UidSyntaxTest {
  @Test
  void acceptsPs35Uids() {
    for (String uid : List.of("1.2.840.10008.1.2.1", "0", "2.25.1", "1.2.3.04",
        "1." + "2".repeat(62))) {
      assertTrue(UidSyntax.isValid(uid), uid);
    }
  }

  @Test
  void rejectsMalformed() {
    for (String uid : List.of("", "1.", ".1", "1..2", "1.2a", "1 2", "1.2/3", "../etc",
        "1." + "2".repeat(63))) {
      assertFalse(UidSyntax.isValid(uid), uid);
    }
    assertFalse(UidSyntax.isValid(null));
  }
}
