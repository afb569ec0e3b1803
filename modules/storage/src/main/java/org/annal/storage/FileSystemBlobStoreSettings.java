// SPDX-License-Identifier: Apache-2.0
package org.annal.storage;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * Settings of a {@link FileSystemBlobStore}; see {@code annal.storage} in this module's
 * {@code reference.conf} for what each one means.
 *
 * @param root directory that holds {@code blobs/} and {@code tmp/}
 * @param blockingDispatcher config path of the dispatcher that runs the blocking file I/O
 * @param writeBufferSize bytes coalesced before each write
 * @param readChunkSize bytes per element when a blob is read back
 */
public record FileSystemBlobStoreSettings(
    Path root, String blockingDispatcher, int writeBufferSize, int readChunkSize) {

  /** The dispatcher defined in this module's reference.conf. */
  public static final String DEFAULT_DISPATCHER = "annal.storage.blocking-io-dispatcher";

  public FileSystemBlobStoreSettings {
    if (root == null) {
      throw new IllegalArgumentException("annal.storage.root is not set");
    }
    if (blockingDispatcher == null || blockingDispatcher.isBlank()) {
      throw new IllegalArgumentException("annal.storage.blocking-dispatcher is not set");
    }
    if (writeBufferSize < 4096 || readChunkSize < 4096) {
      throw new IllegalArgumentException(
          "write-buffer-size and read-chunk-size must be at least 4 KiB, got "
              + writeBufferSize + " and " + readChunkSize);
    }
  }

  /** Defaults of reference.conf with another root (for the app and tests). */
  public static FileSystemBlobStoreSettings of(Path root) {
    return new FileSystemBlobStoreSettings(root, DEFAULT_DISPATCHER, 256 * 1024, 256 * 1024);
  }

  /** Reads {@code annal.storage} from a full config (the one the ActorSystem was started with). */
  public static FileSystemBlobStoreSettings fromConfig(Config config) {
    Config c = config.getConfig("annal.storage");
    String root = c.getString("root");
    if (root.isBlank()) {
      throw new IllegalArgumentException(
          "annal.storage.root is empty: set it (the app derives it from --data-dir)");
    }
    return new FileSystemBlobStoreSettings(
        Path.of(root),
        c.getString("blocking-dispatcher"),
        Math.toIntExact(c.getBytes("write-buffer-size")),
        Math.toIntExact(c.getBytes("read-chunk-size")));
  }

  /** Same settings with another root. */
  public FileSystemBlobStoreSettings withRoot(Path newRoot) {
    return new FileSystemBlobStoreSettings(newRoot, blockingDispatcher, writeBufferSize, readChunkSize);
  }
}
