// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The age lookup against the real filesystem store: if its layout changes, this fails. */
class FileSystemBlobAgeTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  @TempDir Path temp;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aStoredBlobHasTheAgeOfItsWriteAndAnUnknownKeyNone() throws Exception {
    FileSystemBlobStore store =
        FileSystemBlobStore.open(testKit.system(), FileSystemBlobStoreSettings.of(temp));
    Instant before = Instant.now().minusSeconds(2);
    StoredBlob blob = Source.single(ByteString.fromString("blob bytes")).runWith(store.put(), testKit.system())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    FileSystemBlobAge age = new FileSystemBlobAge(store.root(), Runnable::run);

    Optional<Instant> created = age.createdAt(blob.key()).toCompletableFuture().get();
    assertTrue(created.isPresent(), "the blob's file was not found where the layout says");
    assertTrue(!created.get().isBefore(before)
        && !created.get().isAfter(Instant.now().plus(Duration.ofSeconds(2))), created.toString());
    assertEquals(Optional.empty(),
        age.createdAt(new BlobKey("0123456789abcdef")).toCompletableFuture().get());
  }
}
