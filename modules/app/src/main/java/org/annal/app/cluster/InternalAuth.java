// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cluster;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks node-to-node requests with the cluster's shared secret
 * ({@code annal.cluster.secret}): HMAC-SHA256 over {@code METHOD \n PATH \n NODE \n EPOCH_SECONDS}.
 * A request older or newer than the allowed clock skew is refused, so a captured signature is
 * only good for that one path for a minute. It authenticates, it does not encrypt: the cluster
 * network is a trusted one (docs/operations.md), as for Pekko's own Artery traffic.
 */
public final class InternalAuth {
  public static final String NODE_HEADER = "X-Annal-Node";
  public static final String TIME_HEADER = "X-Annal-Time";
  public static final String SIGNATURE_HEADER = "X-Annal-Signature";

  private final byte[] secret;
  private final Duration maxSkew;
  private final Clock clock;

  public InternalAuth(byte[] secret, Duration maxSkew, Clock clock) {
    if (secret.length == 0) {
      throw new IllegalArgumentException("empty secret");
    }
    this.secret = secret.clone();
    this.maxSkew = maxSkew;
    this.clock = clock;
  }

  /** The configured secret, or 32 random bytes when it is empty (a node alone needs none). */
  public static InternalAuth fromSecret(String configured, Duration maxSkew) {
    byte[] secret = configured.getBytes(StandardCharsets.UTF_8);
    if (secret.length == 0) {
      secret = new byte[32];
      new SecureRandom().nextBytes(secret);
    }
    return new InternalAuth(secret, maxSkew, Clock.systemUTC());
  }

  /** The three header values (node, time, signature) for a request by {@code nodeId}. */
  public String[] sign(String method, String path, String nodeId) {
    String time = Long.toString(clock.instant().getEpochSecond());
    return new String[] {nodeId, time, signature(method, path, nodeId, time)};
  }

  /** Empty if the request is authentic; else why not (for the 401 message and the log). */
  public Optional<String> check(String method, String path, String nodeId, String time,
      String signature) {
    if (nodeId == null || time == null || signature == null) {
      return Optional.of("missing " + NODE_HEADER + "/" + TIME_HEADER + "/" + SIGNATURE_HEADER);
    }
    long seconds;
    try {
      seconds = Long.parseLong(time);
    } catch (NumberFormatException e) {
      return Optional.of("bad " + TIME_HEADER);
    }
    long skew = Math.abs(clock.instant().getEpochSecond() - seconds);
    if (skew > maxSkew.toSeconds()) {
      return Optional.of("request time " + skew + " s away from ours (max " + maxSkew.toSeconds()
          + " s): clocks out of sync, or a replay");
    }
    byte[] expected = signature(method, path, nodeId, time).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
      return Optional.of("bad signature (is annal.cluster.secret the same on every node?)");
    }
    return Optional.empty();
  }

  private String signature(String method, String path, String nodeId, String time) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] sig = mac.doFinal((method + "\n" + path + "\n" + nodeId + "\n" + time)
          .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sig);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
