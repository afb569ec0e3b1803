// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.annal.archive.Placement;
import org.annal.archive.Sender;
import org.annal.archive.Study;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@link ClusterInstanceFiles#checked}: the size and SHA-256 guard on every read of a file. */
class ClusterInstanceFilesTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  private static final String SOP = "1.2.826.0.1.3680043.8.1055.1.7";
  private static final byte[] CONTENT = randomBytes(100_000);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static byte[] randomBytes(int size) {
    byte[] b = new byte[size];
    new Random(42).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static Study.Instance instance(long size, String sha256) {
    return new Study.Instance(SOP, "1.2.840.10008.5.1.4.1.1.7", "1.2.3.4", "1.2.840.10008.1.2.1",
        size, sha256, "0".repeat(64),
        Set.of(new Placement("node-b", "default", "online", "0123456789abcdef")),
        new Sender("MODALITY", "ANNAL", "10.0.0.9:4242", "assoc-1", null), 1_700_000_000_000L,
        Map.of());
  }

  /** {@code bytes} in chunks of {@code chunk} bytes (the last one shorter). */
  private static Source<ByteString, ?> chunked(byte[] bytes, int chunk) {
    List<ByteString> chunks = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += chunk) {
      chunks.add(ByteString.fromArray(bytes, i, Math.min(chunk, bytes.length - i)));
    }
    return Source.from(chunks);
  }

  private static byte[] run(Source<ByteString, ?> source) throws Exception {
    CompletionStage<ByteString> all =
        source.runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system());
    return all.toCompletableFuture().get(10, TimeUnit.SECONDS).toArray();
  }

  /** Runs the checked stream expecting it to fail; returns the failure. */
  private static Throwable failure(Source<ByteString, ?> source) {
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> run(source));
    return e.getCause();
  }

  private static void assertNamesInstanceAndNode(Throwable failure) {
    IOException io = assertInstanceOf(IOException.class, failure);
    assertTrue(io.getMessage().contains(SOP), io.getMessage());
    assertTrue(io.getMessage().contains("node-b"), io.getMessage());
  }

  @Test
  void matchingBytesPassThroughUnchanged() throws Exception {
    Study.Instance inst = instance(CONTENT.length, sha256(CONTENT));
    assertArrayEquals(CONTENT, run(ClusterInstanceFiles.checked(chunked(CONTENT, 4096), inst, "node-b")));
    assertArrayEquals(CONTENT, run(ClusterInstanceFiles.checked(chunked(CONTENT, 7), inst, "node-b")));
  }

  @Test
  void theSameCheckedSourceCanBeRunTwice() throws Exception {
    // Each run hashes afresh: a second run (a retried download, say) does not see the first's digest.
    Study.Instance inst = instance(CONTENT.length, sha256(CONTENT));
    Source<ByteString, ?> checked = ClusterInstanceFiles.checked(chunked(CONTENT, 1000), inst, "node-b");
    assertArrayEquals(CONTENT, run(checked));
    assertArrayEquals(CONTENT, run(checked));
  }

  @Test
  void emptyBlobWithMatchingChecksumPasses() throws Exception {
    Study.Instance inst = instance(0, sha256(new byte[0]));
    assertArrayEquals(new byte[0],
        run(ClusterInstanceFiles.checked(Source.<ByteString>empty(), inst, "node-b")));
  }

  @Test
  void oneByteDifferentFailsTheStream() throws Exception {
    byte[] corrupt = CONTENT.clone();
    corrupt[corrupt.length / 2] ^= 0x01;
    Study.Instance inst = instance(CONTENT.length, sha256(CONTENT));
    Throwable f = failure(ClusterInstanceFiles.checked(chunked(corrupt, 4096), inst, "node-b"));
    assertNamesInstanceAndNode(f);
    assertTrue(f.getMessage().contains(sha256(corrupt)), f.getMessage());
    assertTrue(f.getMessage().contains(sha256(CONTENT)), f.getMessage());
  }

  @Test
  void truncatedBlobFailsTheStream() throws Exception {
    byte[] truncated = Arrays.copyOf(CONTENT, CONTENT.length - 1);
    Study.Instance inst = instance(CONTENT.length, sha256(CONTENT));
    Throwable f = failure(ClusterInstanceFiles.checked(chunked(truncated, 4096), inst, "node-b"));
    assertNamesInstanceAndNode(f);
    assertTrue(f.getMessage().contains("is " + truncated.length + " bytes"), f.getMessage());
    assertTrue(f.getMessage().contains("says " + CONTENT.length + " bytes"), f.getMessage());
  }

  @Test
  void nothingAtAllFailsTheStream() throws Exception {
    Study.Instance inst = instance(CONTENT.length, sha256(CONTENT));
    assertNamesInstanceAndNode(
        failure(ClusterInstanceFiles.checked(Source.<ByteString>empty(), inst, "node-b")));
  }

  @Test
  void longerBlobFailsTheStream() throws Exception {
    byte[] longer = Arrays.copyOf(CONTENT, CONTENT.length + 1);
    Study.Instance inst = instance(CONTENT.length, sha256(CONTENT));
    Throwable f = failure(ClusterInstanceFiles.checked(chunked(longer, 4096), inst, "node-b"));
    assertNamesInstanceAndNode(f);
    assertTrue(f.getMessage().contains("is " + longer.length + " bytes"), f.getMessage());
  }

  @Test
  void rightSizeButJournalShaDiffersFailsTheStream() throws Exception {
    Study.Instance inst = instance(CONTENT.length, "f".repeat(64));
    assertNamesInstanceAndNode(
        failure(ClusterInstanceFiles.checked(chunked(CONTENT, 4096), inst, "node-b")));
  }

  @Test
  void upstreamFailureIsPassedOnAsIs() throws Exception {
    IOException cut = new IOException("connection reset");
    Study.Instance inst = instance(CONTENT.length, sha256(CONTENT));
    Source<ByteString, ?> broken = chunked(CONTENT, 4096).take(3).concat(Source.<ByteString>failed(cut));
    assertSame(cut, failure(ClusterInstanceFiles.checked(broken, inst, "node-b")));
  }

  /** A store holding one blob, readable whole only (the streaming reads are not expected). */
  private static org.annal.storage.BlobStore oneBlob(String key, byte[] bytes) {
    return new org.annal.storage.BlobStore() {
      @Override
      public Sink<ByteString, CompletionStage<org.annal.storage.StoredBlob>> put() {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletionStage<ByteString> readAll(org.annal.storage.BlobKey k) {
        return k.value().equals(key)
            ? java.util.concurrent.CompletableFuture.completedFuture(ByteString.fromArray(bytes))
            : java.util.concurrent.CompletableFuture.failedFuture(
                new org.annal.storage.BlobNotFoundException(k));
      }

      @Override
      public Source<ByteString, org.apache.pekko.NotUsed> get(org.annal.storage.BlobKey k) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Source<ByteString, org.apache.pekko.NotUsed> get(org.annal.storage.BlobKey k,
          long offset, long length) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletionStage<org.apache.pekko.Done> delete(org.annal.storage.BlobKey k) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Source<org.annal.storage.BlobKey, org.apache.pekko.NotUsed> keys() {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Test
  void readWholeChecksTheLocalBlobWithoutAStream() throws Exception {
    String key = "0123456789abcdef";
    ClusterInstanceFiles files = new ClusterInstanceFiles(testKit.system(), null,
        oneBlob(key, CONTENT), "node-b", null, null, java.time.Duration.ofSeconds(5));
    String sha = sha256(CONTENT);
    ByteString whole = files.readWhole("node-b", key, CONTENT.length, sha, "instance " + SOP)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertArrayEquals(CONTENT, whole.toArray());

    byte[] other = CONTENT.clone();
    other[500] ^= 1;
    ExecutionException corrupt = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> new ClusterInstanceFiles(testKit.system(), null,
            oneBlob(key, other), "node-b", null, null, java.time.Duration.ofSeconds(5))
            .readWhole("node-b", key, CONTENT.length, sha, "instance " + SOP)
            .toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertNamesInstanceAndNode(corrupt.getCause());
    ExecutionException shorter = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> files.readWhole("node-b", key, CONTENT.length + 1, sha,
            "instance " + SOP).toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertNamesInstanceAndNode(shorter.getCause());
    ExecutionException missing = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> files.readWhole("node-b", "fedcba9876543210", 1, sha, "x")
            .toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertInstanceOf(org.annal.storage.BlobNotFoundException.class, missing.getCause());
  }
}
