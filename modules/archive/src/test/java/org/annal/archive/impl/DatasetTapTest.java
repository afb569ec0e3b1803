// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class DatasetTapTest {

  @Test
  void keepsAtMostTheLimitAndHashesEverything() {
    byte[] data = new byte[10_000];
    new Random(7).nextBytes(data);
    DatasetTap tap = new DatasetTap(4096);
    for (int i = 0; i < data.length; i += 999) {
      ByteString chunk = ByteString.fromArray(data, i, Math.min(999, data.length - i));
      assertSame(chunk, tap.accept(chunk), "chunks pass through unchanged");
    }
    assertEquals(4096, tap.prefix().size());
    assertArrayEquals(Arrays.copyOf(data, 4096), tap.prefix().toArray());
    assertTrue(tap.truncated());
    assertEquals(10_000, tap.size());
    assertEquals(Sha256.of(data), tap.sha256());
  }

  @Test
  void shortDataSetIsWhollyInThePrefix() {
    DatasetTap tap = new DatasetTap(4096);
    tap.accept(ByteString.fromString("abc"));
    assertFalse(tap.truncated());
    assertEquals(ByteString.fromString("abc"), tap.prefix());
    assertFalse(tap.hasUpstreamFailed());
  }
}
