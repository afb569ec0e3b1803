// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.annal.storage.BlobKey;
import org.annal.storage.FileSystemBlobStore;
import org.annal.storage.FileSystemBlobStoreSettings;
import org.annal.storage.StoredBlob;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OrphanSweeper.BlobAge#ofFileSystem} against the real file system blob store. */
class OrphanSweeperFileSystemTest {
  private ActorTestKit testKit;

  @TempDir Path root;

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create("OrphanSweeperFileSystemTest", ConfigFactory.load());
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void readsTheBlobFileModificationTime() throws Exception {
    FileSystemBlobStore store =
        FileSystemBlobStore.open(testKit.system(), FileSystemBlobStoreSettings.of(root));
    StoredBlob blob = Source.single(ByteString.fromString("some bytes"))
        .runWith(store.put(), testKit.system()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    Instant old = Instant.parse("2020-01-01T00:00:00Z");
    try (var files = Files.walk(root)) {
      Path file = files.filter(p -> p.getFileName().toString().equals(blob.key().value()))
          .findFirst().orElseThrow();
      Files.setLastModifiedTime(file, FileTime.from(old));
    }
    var age = OrphanSweeper.BlobAge.ofFileSystem(testKit.system(), store);
    assertEquals(Optional.of(old),
        age.createdAt(blob.key()).toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertTrue(age.createdAt(new BlobKey("0123abcd-0000")).toCompletableFuture()
        .get(5, TimeUnit.SECONDS).isEmpty(), "no such blob: age unknown");
  }
}
