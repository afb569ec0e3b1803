// SPDX-License-Identifier: Apache-2.0
package org.annal.storage.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import java.nio.file.Files;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import org.annal.storage.BlobKey;
import org.annal.storage.BlobMismatchException;
import org.apache.pekko.util.ByteString;

/**
 * Internal API. The checks a blob's bytes are read back with.
 *
 * <p>The journal holds each blob's SHA-256, and {@code annal verify} checks it. Checking it on
 * every read as well costs ~0.45 ms per 512 KB image on this kind of machine (about a third of
 * a retrieve's CPU), so the writer also records the CRC-32C of the bytes (10 µs per 512 KB) in
 * an extended attribute of the file, {@code user.annal.crc32c}, written before the file is
 * fsynced. A read whose size and CRC-32C match is taken as intact: CRC-32C detects every burst
 * error up to 32 bits and any other accidental change with probability 1 - 2^-32. A read
 * without the attribute (a file system without user extended attributes, a copy that dropped
 * them) or whose CRC-32C differs is checked against the SHA-256, which decides: a damaged
 * attribute on intact bytes does not make the blob "corrupt". Deliberate tampering is what the
 * SHA-256 chain and {@code annal verify} are for, not this.
 */
public final class BlobChecksums {
  private BlobChecksums() {}

  /** The extended attribute (in the {@code user.} namespace Java adds). */
  public static final String CRC32C_ATTRIBUTE = "annal.crc32c";
  private static final HexFormat HEX = HexFormat.of();

  /** Records {@code crc} on the file; false if the file system does not take it. */
  public static boolean writeCrc32c(Path file, int crc) {
    try {
      UserDefinedFileAttributeView view =
          Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
      if (view == null) {
        return false;
      }
      view.write(CRC32C_ATTRIBUTE, ByteBuffer.allocate(4).putInt(0, crc));
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** The CRC-32C recorded on the file, or null if there is none (or it cannot be read). */
  public static Integer readCrc32c(Path file) {
    try {
      UserDefinedFileAttributeView view =
          Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
      if (view == null) {
        return null;
      }
      ByteBuffer b = ByteBuffer.allocate(8);
      int n = view.read(CRC32C_ATTRIBUTE, b);
      return n == 4 ? b.getInt(0) : null;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return null; // absent (ENODATA), unsupported, or longer than 8 bytes: not ours
    }
  }

  public static String sha256Hex(ByteString bytes) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (ByteBuffer b : bytes.getByteBuffers()) {
        digest.update(b);
      }
      return HEX.formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code bytes} if they are {@code size} bytes whose CRC-32C is {@code recordedCrc} (when
   * there is one) or whose SHA-256 is {@code sha256}; else a {@link BlobMismatchException}.
   */
  public static ByteString verified(BlobKey key, ByteString bytes, Integer recordedCrc, long size,
      String sha256) {
    if (recordedCrc != null && bytes.size() == size) {
      CRC32C crc = new CRC32C();
      for (ByteBuffer b : bytes.getByteBuffers()) {
        crc.update(b);
      }
      if ((int) crc.getValue() == recordedCrc) {
        return bytes;
      }
    }
    String actual = sha256Hex(bytes);
    if (bytes.size() != size || !actual.equals(sha256)) {
      throw new BlobMismatchException(key, size, sha256, bytes.size(), actual);
    }
    return bytes;
  }
}
