// SPDX-License-Identifier: Apache-2.0
package org.annal.storage.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.annal.storage.StoredBlob;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link BlobWriteStage} hands chunks to the blocking executor. */
class BlobWriteStageTest {
  private static final int BUFFER = 256 * 1024;
  private static final int CHUNK = 16 * 1024;

  private static ActorTestKit testKit;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @TempDir Path root;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("BlobWriteStageTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void aPduSizedStreamIsWrittenInABufferSizedTaskEachPlusTheOpenAndTheCommit() throws Exception {
    AtomicInteger tasks = new AtomicInteger();
    Executor counting = task -> {
      tasks.incrementAndGet();
      pool.execute(task);
    };
    byte[] content = new byte[512 * 1024];
    new Random(3).nextBytes(content);

    StoredBlob stored = await(chunks(content).runWith(stage(counting), testKit.system()));

    assertEquals(content.length, stored.size());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)),
        stored.sha256());
    assertArrayEquals(content, Files.readAllBytes(BlobLayout.open(root).blobPath(stored.key())));
    // open, one write per buffer's worth, the commit (a task per chunk before: 34).
    assertTrue(tasks.get() <= 4, "I/O tasks for 32 chunks: " + tasks.get());
  }

  @Test
  void aStalledDiskStopsThePullingAfterAboutTwoBuffersWorth() throws Exception {
    CountDownLatch disk = new CountDownLatch(1);
    AtomicInteger tasks = new AtomicInteger();
    Executor stalled = task -> pool.execute(() -> {
      // The open runs; every write after it waits for the "disk".
      if (tasks.incrementAndGet() > 1) {
        try {
          disk.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      task.run();
    });
    AtomicLong pulled = new AtomicLong();
    byte[] chunk = new byte[CHUNK];
    Source<ByteString, ?> endless = Source.repeat(ByteString.fromArray(chunk))
        .map(c -> {
          pulled.addAndGet(c.size());
          return c;
        })
        .take(4096); // 64 MiB if nothing held it back

    CompletionStage<StoredBlob> result = endless.runWith(stage(stalled), testKit.system());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long seen = -1;
    while (System.nanoTime() < deadline) { // until the pulling has stopped for 300 ms
      Thread.sleep(300);
      long now = pulled.get();
      if (now == seen && now > 0) {
        break;
      }
      seen = now;
    }
    long held = pulled.get();
    disk.countDown();

    StoredBlob stored = await(result);
    assertEquals(4096L * CHUNK, stored.size());
    // One buffer's worth in the write task that waits, one collecting, and the stream's own
    // small buffers between the source and the stage.
    assertTrue(held <= 2L * BUFFER + 32L * CHUNK, "bytes pulled while the disk was stalled: " + held);
  }

  private BlobWriteStage stage(Executor io) throws Exception {
    return new BlobWriteStage(BlobLayout.open(root), new DirectBufferPool(BUFFER, 2), io);
  }

  private static Source<ByteString, ?> chunks(byte[] content) {
    return Source.range(0, content.length / CHUNK - 1)
        .map(i -> ByteString.fromArray(content, i * CHUNK, CHUNK));
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
