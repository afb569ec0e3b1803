// SPDX-License-Identifier: Apache-2.0
package org.annal.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.annal.storage.impl.BlobChecksums;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.AbruptStageTerminationException;
import org.apache.pekko.stream.AbruptTerminationException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileSystemBlobStoreTest {
  private static final int MIB = 1024 * 1024;
  private static ActorTestKit testKit;

  @TempDir Path root;
  private FileSystemBlobStore store;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void openStore() {
    store = FileSystemBlobStore.open(testKit.system(), FileSystemBlobStoreSettings.of(root));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, MIB + 1})
  void roundTripKeepsEveryByteAndTheSha256(int size) throws Exception {
    byte[] content = randomBytes(size, size);

    StoredBlob stored = await(chunked(content, 7).runWith(store.put(), testKit.system()));

    assertEquals(size, stored.size());
    assertEquals(sha256(content), stored.sha256());
    String k = stored.key().value();
    Path file = root.resolve("blobs").resolve(k.substring(0, 2)).resolve(k.substring(2, 4)).resolve(k);
    assertArrayEquals(content, Files.readAllBytes(file));
    assertArrayEquals(content, read(store.get(stored.key())));
    assertEquals(List.of(), listFiles(root.resolve("tmp")), "no temp file left");
  }

  @Test
  void failedUpstreamLeavesNoFileAndFailsTheValue() throws Exception {
    RuntimeException boom = new RuntimeException("association aborted");
    Source<ByteString, ?> failing =
        chunked(randomBytes(300_000, 1), 3).concat(Source.failed(boom));

    ExecutionException failure =
        assertThrows(ExecutionException.class, () -> await(failing.runWith(store.put(), testKit.system())));

    assertEquals(boom, failure.getCause());
    assertEquals(List.of(), listFiles(root.resolve("tmp")));
    assertEquals(List.of(), listFiles(root.resolve("blobs")));
  }

  @Test
  void abruptTerminationLeavesNoFile() throws Exception {
    Materializer materializer = Materializer.createMaterializer(testKit.system());
    CompletionStage<StoredBlob> result =
        Source.single(ByteString.fromArray(randomBytes(1000, 2)))
            .concat(Source.never())
            .runWith(store.put(), materializer);
    awaitCondition(() -> listFiles(root.resolve("tmp")).size() == 1);

    materializer.shutdown();

    ExecutionException failure = assertThrows(ExecutionException.class, () -> await(result));
    // Which one depends on whether the sink's island or the source's saw the shutdown first.
    assertTrue(
        failure.getCause() instanceof AbruptStageTerminationException
            || failure.getCause() instanceof AbruptTerminationException,
        failure.getCause().toString());
    assertEquals(List.of(), listFiles(root.resolve("tmp")));
  }

  @Test
  void rangedReadsReturnExactlyTheRequestedBytes() throws Exception {
    int size = MIB + 1;
    byte[] content = randomBytes(size, 3);
    BlobKey key = await(chunked(content, 4).runWith(store.put(), testKit.system())).key();

    assertArrayEquals(slice(content, 0, 10), read(store.get(key, 0, 10)));
    // Crosses the 256 KiB read chunk boundaries.
    assertArrayEquals(slice(content, 1000, 600_000), read(store.get(key, 1000, 600_000)));
    assertArrayEquals(slice(content, size - 5, 5), read(store.get(key, size - 5, 100)));
    assertArrayEquals(slice(content, 262_144, 262_144), read(store.get(key, 262_144, 262_144)));
    assertArrayEquals(new byte[0], read(store.get(key, size + 10, 5)));
    assertArrayEquals(new byte[0], read(store.get(key, 17, 0)));
    assertThrows(IllegalArgumentException.class, () -> store.get(key, -1, 5));
    assertThrows(IllegalArgumentException.class, () -> store.get(key, 0, -5));
  }

  @Test
  void readAllReturnsTheWholeBlobOrBlobNotFound() throws Exception {
    byte[] content = randomBytes(700_000, 5);
    BlobKey key = await(chunked(content, 3).runWith(store.put(), testKit.system())).key();
    assertArrayEquals(content, await(store.readAll(key)).toArray());
    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> await(store.readAll(new BlobKey("0123456789abcdef0123456789abcdef"))));
    assertInstanceOf(BlobNotFoundException.class, failure.getCause());
  }

  @Test
  void readAllVerifiedChecksTheRecordedCrc32cThenFallsBackToTheSha256() throws Exception {
    byte[] content = randomBytes(600_000, 11);
    StoredBlob stored = await(chunked(content, 5).runWith(store.put(), testKit.system()));
    BlobKey key = stored.key();
    String k = key.value();
    Path file = root.resolve("blobs").resolve(k.substring(0, 2)).resolve(k.substring(2, 4)).resolve(k);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(content);
    // A file system without user extended attributes (tmpfs before Linux 6.6): nothing to test.
    Path probe = Files.createTempFile(root, "xattr", ".probe");
    org.junit.jupiter.api.Assumptions.assumeTrue(BlobChecksums.writeCrc32c(probe, 1),
        "no user extended attributes on " + root);
    Files.delete(probe);
    // The writer recorded the CRC-32C of the bytes.
    assertEquals((int) crc.getValue(), BlobChecksums.readCrc32c(file));
    assertArrayEquals(content, await(store.readAllVerified(key, content.length,
        stored.sha256())).toArray());

    // A wrong attribute on intact bytes: the SHA-256 decides, the blob is fine.
    assertTrue(BlobChecksums.writeCrc32c(file, (int) crc.getValue() + 1));
    assertArrayEquals(content, await(store.readAllVerified(key, content.length,
        stored.sha256())).toArray());
    // No attribute at all (a copy that dropped it): the same.
    Files.getFileAttributeView(file, java.nio.file.attribute.UserDefinedFileAttributeView.class)
        .delete(BlobChecksums.CRC32C_ATTRIBUTE);
    assertEquals(null, BlobChecksums.readCrc32c(file));
    assertArrayEquals(content, await(store.readAllVerified(key, content.length,
        stored.sha256())).toArray());

    // One byte flipped, the attribute still the original CRC: a mismatch, with the actual SHA.
    assertTrue(BlobChecksums.writeCrc32c(file, (int) crc.getValue()));
    byte[] damaged = content.clone();
    damaged[300_000] ^= 0x10;
    Files.write(file, damaged);
    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> await(store.readAllVerified(key, content.length, stored.sha256())));
    BlobMismatchException mismatch = assertInstanceOf(BlobMismatchException.class,
        failure.getCause());
    assertEquals(sha256(damaged), mismatch.actualSha256());
    // The right bytes but another expected size: a mismatch too.
    Files.write(file, content);
    assertInstanceOf(BlobMismatchException.class, assertThrows(ExecutionException.class,
        () -> await(store.readAllVerified(key, content.length + 1, stored.sha256()))).getCause());
    assertInstanceOf(BlobNotFoundException.class, assertThrows(ExecutionException.class,
        () -> await(store.readAllVerified(new BlobKey("0123456789abcdef0123456789abcdef"), 1,
            stored.sha256()))).getCause());
  }

  @Test
  void readingAMissingBlobFailsWithBlobNotFound() {
    BlobKey missing = new BlobKey("0123456789abcdef0123456789abcdef");
    for (Source<ByteString, ?> source :
        List.of(store.get(missing), store.get(missing, 10, 10), store.get(missing, 0, 0))) {
      ExecutionException failure = assertThrows(ExecutionException.class, () -> read(source));
      assertInstanceOf(BlobNotFoundException.class, failure.getCause());
    }
  }

  @Test
  void keysListsEveryBlobAndNothingElse() throws Exception {
    Set<BlobKey> expected = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      expected.add(await(chunked(randomBytes(100 * i, i), 2).runWith(store.put(), testKit.system())).key());
    }
    // Files that are not blobs of this layout are ignored.
    Files.writeString(root.resolve("blobs").resolve("README"), "not a blob");
    Files.writeString(root.resolve("blobs").resolve("0123456789abcdef0123456789abcdef"), "misplaced");

    List<BlobKey> keys = await(store.keys().runWith(Sink.seq(), testKit.system()));

    assertEquals(expected, new HashSet<>(keys));
    assertEquals(expected.size(), keys.size());
  }

  @Test
  void deleteRemovesTheBlobAndIsIdempotent() throws Exception {
    BlobKey key = await(chunked(randomBytes(5000, 9), 2).runWith(store.put(), testKit.system())).key();

    await(store.delete(key));
    await(store.delete(key));

    ExecutionException failure = assertThrows(ExecutionException.class, () -> read(store.get(key)));
    assertInstanceOf(BlobNotFoundException.class, failure.getCause());
    assertEquals(List.of(), await(store.keys().runWith(Sink.seq(), testKit.system())));
  }

  @Test
  void concurrentPutsAreIndependent() throws Exception {
    int count = 40;
    List<byte[]> contents = new ArrayList<>();
    List<CompletableFuture<StoredBlob>> results = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] content = randomBytes(512 * 1024 + i, 100 + i);
      contents.add(content);
      results.add(chunked(content, 100 + i).runWith(store.put(), testKit.system()).toCompletableFuture());
    }
    Set<BlobKey> keys = new HashSet<>();
    for (int i = 0; i < count; i++) {
      StoredBlob stored = results.get(i).get(60, TimeUnit.SECONDS);
      assertEquals(sha256(contents.get(i)), stored.sha256());
      assertArrayEquals(contents.get(i), read(store.get(stored.key())));
      keys.add(stored.key());
    }
    assertEquals(count, keys.size(), "every put has its own key");
  }

  @Test
  void openRemovesTempFilesLeftByACrash() throws Exception {
    Path tmp = root.resolve("tmp");
    Files.write(tmp.resolve("0123456789abcdef0123456789abcdef.part"), randomBytes(4096, 5));
    Files.write(tmp.resolve("fedcba9876543210fedcba9876543210.part"), new byte[0]);

    FileSystemBlobStore reopened =
        FileSystemBlobStore.open(testKit.system(), FileSystemBlobStoreSettings.of(root));

    assertEquals(List.of(), listFiles(tmp));
    assertEquals(0, reopened.cleanTemp());
    assertTrue(Files.isDirectory(root.resolve("blobs")));
  }

  @Test
  void settingsComeFromReferenceConf() {
    com.typesafe.config.Config config =
        com.typesafe.config.ConfigFactory.parseString("annal.storage.root = \"" + root + "\"")
            .withFallback(testKit.system().settings().config());
    FileSystemBlobStoreSettings settings = FileSystemBlobStoreSettings.fromConfig(config);
    assertEquals(root, settings.root());
    assertEquals(256 * 1024, settings.writeBufferSize());
    assertEquals(FileSystemBlobStoreSettings.DEFAULT_DISPATCHER, settings.blockingDispatcher());
    assertThrows(
        IllegalArgumentException.class,
        () -> FileSystemBlobStoreSettings.fromConfig(testKit.system().settings().config()),
        "an empty root is refused");
    assertFalse(settings.readChunkSize() < 4096);
  }

  // ---- helpers

  static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** The content as a source of uneven chunks (as PDVs arrive), from a few bytes to 64 KiB. */
  static Source<ByteString, ?> chunked(byte[] content, long seed) {
    Random random = new Random(seed);
    List<ByteString> chunks = new ArrayList<>();
    int offset = 0;
    while (offset < content.length) {
      int n = Math.min(content.length - offset, 1 + random.nextInt(64 * 1024));
      chunks.add(ByteString.fromArray(content, offset, n));
      offset += n;
    }
    return Source.from(chunks);
  }

  static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  private byte[] read(Source<ByteString, ?> source) throws Exception {
    return await(source.runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system()))
        .toArray();
  }

  private static byte[] slice(byte[] content, int offset, int length) {
    byte[] out = new byte[length];
    System.arraycopy(content, offset, out, 0, length);
    return out;
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static List<Path> listFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  static void awaitCondition(Condition condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.onSpinWait();
    }
  }
}
