// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InternalAuthTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  private static final Duration SKEW = Duration.ofSeconds(60);
  private static final byte[] SECRET = "cluster-secret".getBytes(StandardCharsets.UTF_8);
  private static final String PATH = "/internal/blobs/0123456789abcdef";

  private static InternalAuth at(Instant instant) {
    return at(SECRET, instant);
  }

  private static InternalAuth at(byte[] secret, Instant instant) {
    return new InternalAuth(secret, SKEW, Clock.fixed(instant, ZoneOffset.UTC));
  }

  /** The reason {@code checker} refuses {@code headers}, failing the test if it accepts them. */
  private static String refusal(InternalAuth checker, String method, String path, String[] headers) {
    Optional<String> why = checker.check(method, path, headers[0], headers[1], headers[2]);
    assertTrue(why.isPresent(), "expected a refusal");
    return why.get();
  }

  @Test
  void signedRequestIsAccepted() {
    String[] h = at(T0).sign("GET", PATH, "node-a");
    assertEquals("node-a", h[0]);
    assertEquals(Long.toString(T0.getEpochSecond()), h[1]);
    assertTrue(h[2].matches("[0-9a-f]{64}"), h[2]);
    assertEquals(Optional.empty(), at(T0).check("GET", PATH, h[0], h[1], h[2]));
  }

  @Test
  void signatureIsDeterministicForSameInputsAndInstant() {
    assertEquals(at(T0).sign("GET", PATH, "node-a")[2], at(T0).sign("GET", PATH, "node-a")[2]);
    assertNotEquals(at(T0).sign("GET", PATH, "node-a")[2],
        at(T0.plusSeconds(1)).sign("GET", PATH, "node-a")[2]);
  }

  @Test
  void wrongSecretIsRefused() {
    String[] h = at("other-secret".getBytes(StandardCharsets.UTF_8), T0).sign("GET", PATH, "node-a");
    assertTrue(refusal(at(T0), "GET", PATH, h).contains("bad signature"));
  }

  @Test
  void otherPathIsRefused() {
    String[] h = at(T0).sign("GET", PATH, "node-a");
    assertTrue(refusal(at(T0), "GET", "/internal/blobs/fedcba9876543210", h)
        .contains("bad signature"));
  }

  @Test
  void otherMethodIsRefused() {
    String[] h = at(T0).sign("GET", PATH, "node-a");
    assertTrue(refusal(at(T0), "DELETE", PATH, h).contains("bad signature"));
  }

  @Test
  void otherNodeHeaderIsRefused() {
    String[] h = at(T0).sign("GET", PATH, "node-a");
    h[0] = "node-b";
    assertTrue(refusal(at(T0), "GET", PATH, h).contains("bad signature"));
  }

  @Test
  void tamperedSignatureIsRefused() {
    String[] h = at(T0).sign("GET", PATH, "node-a");
    char last = h[2].charAt(63);
    h[2] = h[2].substring(0, 63) + (last == '0' ? '1' : '0');
    assertTrue(refusal(at(T0), "GET", PATH, h).contains("bad signature"));

    String[] truncated = at(T0).sign("GET", PATH, "node-a");
    truncated[2] = truncated[2].substring(0, 32);
    assertTrue(refusal(at(T0), "GET", PATH, truncated).contains("bad signature"));

    String[] upper = at(T0).sign("GET", PATH, "node-a");
    upper[2] = upper[2].toUpperCase();
    assertNotEquals(at(T0).sign("GET", PATH, "node-a")[2], upper[2]);
    assertTrue(refusal(at(T0), "GET", PATH, upper).contains("bad signature"));
  }

  @Test
  void signatureForAnotherTimeIsRefused() {
    // A captured signature moved to a fresh time header does not match.
    String[] h = at(T0).sign("GET", PATH, "node-a");
    h[1] = Long.toString(T0.getEpochSecond() + 1);
    assertTrue(refusal(at(T0), "GET", PATH, h).contains("bad signature"));
  }

  @Test
  void missingHeaderIsRefused() {
    String[] h = at(T0).sign("GET", PATH, "node-a");
    for (int missing = 0; missing < 3; missing++) {
      String[] partial = h.clone();
      partial[missing] = null;
      String why = refusal(at(T0), "GET", PATH, partial);
      assertTrue(why.startsWith("missing"), why);
      assertTrue(why.contains(InternalAuth.NODE_HEADER) && why.contains(InternalAuth.TIME_HEADER)
          && why.contains(InternalAuth.SIGNATURE_HEADER), why);
    }
  }

  @Test
  void nonNumericTimeIsRefused() {
    String[] h = at(T0).sign("GET", PATH, "node-a");
    for (String bad : new String[] {"", "soon", "1.5", "0x10", "99999999999999999999"}) {
      h[1] = bad;
      assertEquals("bad " + InternalAuth.TIME_HEADER, refusal(at(T0), "GET", PATH, h), bad);
    }
  }

  @Test
  void timeWithinMaxSkewIsAcceptedEitherWay() {
    String[] h = at(T0).sign("GET", PATH, "node-a");
    assertEquals(Optional.empty(), at(T0.plus(SKEW)).check("GET", PATH, h[0], h[1], h[2]));
    assertEquals(Optional.empty(), at(T0.minus(SKEW)).check("GET", PATH, h[0], h[1], h[2]));
  }

  @Test
  void timeBeyondMaxSkewIsRefusedEitherWay() {
    String[] h = at(T0).sign("GET", PATH, "node-a");
    String late = refusal(at(T0.plus(SKEW).plusSeconds(1)), "GET", PATH, h);
    assertTrue(late.contains("61 s away") && late.contains("max 60 s"), late);
    String early = refusal(at(T0.minus(SKEW).minusSeconds(1)), "GET", PATH, h);
    assertTrue(early.contains("61 s away"), early);
    String replay = refusal(at(T0.plus(Duration.ofHours(1))), "GET", PATH, h);
    assertTrue(replay.contains("3600 s away"), replay);
  }

  @Test
  void emptySecretIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> at(new byte[0], T0));
  }

  @Test
  void secretIsCopiedAtConstruction() {
    byte[] secret = "mutable".getBytes(StandardCharsets.UTF_8);
    InternalAuth auth = at(secret, T0);
    String[] h = auth.sign("GET", PATH, "node-a");
    secret[0] = 'X';
    assertEquals(Optional.empty(), auth.check("GET", PATH, h[0], h[1], h[2]));
  }

  @Test
  void sameConfiguredSecretOnTwoNodesInteroperates() {
    InternalAuth a = InternalAuth.fromSecret("shared", SKEW);
    InternalAuth b = InternalAuth.fromSecret("shared", SKEW);
    String[] h = a.sign("GET", PATH, "node-a");
    assertEquals(Optional.empty(), b.check("GET", PATH, h[0], h[1], h[2]));
  }

  @Test
  void emptyConfiguredSecretGivesARandomWorkingOne() {
    InternalAuth self = InternalAuth.fromSecret("", SKEW);
    String[] h = self.sign("GET", PATH, "node-a");
    assertEquals(Optional.empty(), self.check("GET", PATH, h[0], h[1], h[2]));

    InternalAuth other = InternalAuth.fromSecret("", SKEW);
    assertTrue(refusal(other, "GET", PATH, h).contains("bad signature"));
    assertNotEquals(h[2], other.sign("GET", PATH, "node-a")[2]);
  }
}
