// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.annal.archive.OrphanSweeper;
import org.annal.storage.BlobKey;

/**
 * How old a blob of the filesystem store is, for the orphan sweeper: the mtime of
 * {@code <root>/blobs/<k0k1>/<k2k3>/<key>}, the layout annal-storage documents in its
 * reference.conf. A stop-gap until the BlobStore interface tells a blob's age itself: if the
 * layout ever differs, the file is not found, the age is unknown, and the sweeper deletes nothing.
 * Internal API.
 */
public final class FileSystemBlobAge implements OrphanSweeper.BlobAge {
  private final Path blobs;
  private final Executor blocking;

  public FileSystemBlobAge(Path storeRoot, Executor blocking) {
    this.blobs = storeRoot.resolve("blobs");
    this.blocking = blocking;
  }

  @Override
  public CompletionStage<Optional<Instant>> createdAt(BlobKey key) {
    return CompletableFuture.supplyAsync(() -> {
      String k = key.value();
      Path file = blobs.resolve(k.substring(0, 2)).resolve(k.substring(2, 4)).resolve(k);
      try {
        return Optional.of(Files.getLastModifiedTime(file).toInstant());
      } catch (IOException e) {
        return Optional.<Instant>empty();
      }
    }, blocking);
  }
}
