// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.synth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic UIDs and pseudo-random numbers for synthetic data.
 *
 * <p>UIDs use the {@code 2.25} root of PS3.5 §B.2: "2.25." followed by the unsigned decimal value
 * of a UUID. The UUID is name-based (RFC 4122 version 3) on the seed and the position of the
 * object, so the same seed always gives the same UIDs (reproducible benchmarks, re-usable data
 * sets) and different seeds give different ones. At most 2 + 1 + 39 digits: within the 64
 * characters of PS3.5 §9.1.
 */
final class SyntheticUids {
  private SyntheticUids() {}

  static String uid(long seed, String kind, int... path) {
    StringBuilder name = new StringBuilder("annal-synthetic/").append(seed).append('/').append(kind);
    for (int p : path) {
      name.append('/').append(p);
    }
    UUID uuid = UUID.nameUUIDFromBytes(name.toString().getBytes(StandardCharsets.UTF_8));
    byte[] bytes = new byte[16];
    long msb = uuid.getMostSignificantBits();
    long lsb = uuid.getLeastSignificantBits();
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (msb >>> (56 - 8 * i));
      bytes[8 + i] = (byte) (lsb >>> (56 - 8 * i));
    }
    return "2.25." + new BigInteger(1, bytes);
  }

  /** SplitMix64 finaliser: a well-mixed 64-bit value from any input, stable across JDKs. */
  static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A value derived from the seed and a position; used to pick names, dates and numbers. */
  static long mix(long seed, int... path) {
    long z = mix(seed);
    for (int p : path) {
      z = mix(z ^ p);
    }
    return z;
  }

  /** A uniform integer in {@code [0, bound)} from a mixed value. */
  static int pick(long mixed, int bound) {
    return (int) Math.floorMod(mixed, (long) bound);
  }
}
