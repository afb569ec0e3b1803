// SPDX-License-Identifier: Apache-2.0
package org.annal.storage.impl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.annal.storage.BlobKey;

/**
 * Internal API. Where a filesystem blob store puts things, and the directory fsyncs that make a
 * rename durable.
 *
 * <pre>
 * root/
 *   blobs/ab/cd/abcd…   final blobs, two levels of fan-out from the first four hex digits
 *   tmp/abcd….part      writes in progress; anything left here after a crash is garbage
 * </pre>
 *
 * Keys are random (UUID-derived) and never come from a sender (ARCHITECTURE invariant 6).
 */
public final class BlobLayout {
  /** Suffix of a write in progress. */
  public static final String TEMP_SUFFIX = ".part";

  private final Path root;
  private final Path blobs;
  private final Path tmp;
  // Directories known to exist and to be durable: saves a stat (and an fsync) per put.
  private final Set<Path> durableDirectories = ConcurrentHashMap.newKeySet();

  private BlobLayout(Path root) {
    this.root = root;
    this.blobs = root.resolve("blobs");
    this.tmp = root.resolve("tmp");
  }

  /** Creates {@code root/blobs} and {@code root/tmp} if needed, durably. */
  public static BlobLayout open(Path root) throws IOException {
    BlobLayout layout = new BlobLayout(root.toAbsolutePath().normalize());
    Files.createDirectories(layout.root);
    layout.ensureDirectory(layout.blobs);
    layout.ensureDirectory(layout.tmp);
    layout.createFirstLevel();
    return layout;
  }

  /**
   * Creates the 256 first-level directories up front, with one directory fsync for all of them.
   * Otherwise a fresh store pays a mkdir and an fsync of {@code blobs/} on most puts until they
   * exist (measured: each new directory adds about half the cost of a durable 512 KiB write).
   * The 65,536 second-level directories are created on demand: up front they would take 256 MiB.
   */
  private void createFirstLevel() throws IOException {
    boolean created = false;
    HexFormat hex = HexFormat.of();
    for (int i = 0; i < 256; i++) {
      Path dir = blobs.resolve(hex.toHexDigits((byte) i));
      if (!Files.isDirectory(dir)) {
        try {
          Files.createDirectory(dir);
        } catch (FileAlreadyExistsException raced) {
          // Created meanwhile; the fsync below covers it either way.
        }
        created = true;
      }
      durableDirectories.add(dir);
    }
    if (created) {
      fsyncDirectory(blobs);
    }
  }

  public Path root() {
    return root;
  }

  public Path blobsDirectory() {
    return blobs;
  }

  public Path tempDirectory() {
    return tmp;
  }

  /** A fresh random key: the 32 hex digits of a random UUID. */
  public static BlobKey newKey() {
    UUID uuid = UUID.randomUUID();
    HexFormat hex = HexFormat.of();
    return new BlobKey(
        hex.toHexDigits(uuid.getMostSignificantBits())
            + hex.toHexDigits(uuid.getLeastSignificantBits()));
  }

  /** Final path of a blob: {@code blobs/<k[0..2]>/<k[2..4]>/<key>}. */
  public Path blobPath(BlobKey key) {
    String k = key.value();
    return blobs.resolve(k.substring(0, 2)).resolve(k.substring(2, 4)).resolve(k);
  }

  /** Path of a write in progress. */
  public Path tempPath(BlobKey key) {
    return tmp.resolve(key.value() + TEMP_SUFFIX);
  }

  /** The key stored at {@code file}, if the file sits where {@link #blobPath} would put it. */
  public Optional<BlobKey> keyOf(Path file) {
    String name = file.getFileName().toString();
    try {
      BlobKey key = new BlobKey(name);
      return blobPath(key).equals(file) ? Optional.of(key) : Optional.empty();
    } catch (IllegalArgumentException notAKey) {
      return Optional.empty();
    }
  }

  /**
   * Makes sure {@code dir} exists and that its entry in its parent is durable: a directory
   * created just before a rename would otherwise be lost with the blob on power failure.
   */
  public void ensureDirectory(Path dir) throws IOException {
    if (createDirectory(dir)) {
      markDurable(dir);
    }
  }

  /**
   * Creates {@code dir} (and its parents under the root) if needed, without fsync.
   *
   * @return true if the caller must call {@link #markDurable} after the blob's own directory
   *     fsync: the directory is not yet known to be durable in its parent (new, or first seen by
   *     this process, perhaps created by a writer whose fsync is still pending)
   */
  public boolean createDirectory(Path dir) throws IOException {
    if (durableDirectories.contains(dir)) {
      return false;
    }
    Path parent = dir.getParent();
    if (parent != null && !parent.equals(root) && createDirectory(parent)) {
      markDurable(parent);
    }
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException existing) {
      // Created earlier or by a concurrent writer: its entry may not be durable yet either.
    }
    return true;
  }

  /**
   * fsyncs the parent of {@code dir}, making {@code dir}'s entry durable. Done after the blob's
   * rename and directory fsync rather than before: the journal commit of that fsync then carries
   * the mkdir as well, and this one finds little left to do.
   */
  public void markDurable(Path dir) throws IOException {
    Path parent = dir.getParent();
    if (parent != null) {
      fsyncDirectory(parent);
    }
    durableDirectories.add(dir);
  }

  /** fsync(2) of a directory, which makes creations, renames and deletions in it durable. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /**
   * Deletes every file in {@code tmp/}: they are writes that never completed (the process died),
   * and no event can reference them because the key is only revealed after the rename.
   *
   * @return how many files were removed
   */
  public int cleanTemp() throws IOException {
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
      for (Path entry : entries) {
        if (Files.isRegularFile(entry) && Files.deleteIfExists(entry)) {
          removed++;
        }
      }
    }
    if (removed > 0) {
      fsyncDirectory(tmp);
    }
    return removed;
  }
}
