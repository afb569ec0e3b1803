// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The node's blob files on disk: {@code DATA_DIR/storage/blobs/<k0k1>/<k2k3>/<key>}
 * (annal-storage BlobLayout), found from the blob key in the study document's placement.
 */
final class BlobFiles {
  private final Path storageRoot;

  BlobFiles(Path dataDir) {
    this.storageRoot = dataDir.resolve("storage");
  }

  Path blobsDirectory() {
    return storageRoot.resolve("blobs");
  }

  /** The file of {@code instance}: by one of its blob keys, the first that names an existing file. */
  Optional<Path> find(StudyApi.Instance instance) {
    for (String key : instance.blobKeys()) {
      if (key.length() >= 4) {
        Path expected = blobsDirectory().resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key);
        if (Files.isRegularFile(expected)) {
          return Optional.of(expected);
        }
      }
    }
    // Another layout than BlobLayout's: any file under storage/ named by the key.
    for (Path file : all()) {
      if (instance.blobKeys().contains(file.getFileName().toString())) {
        return Optional.of(file);
      }
    }
    return Optional.empty();
  }

  /** Every finished blob file (not the tmp/ writes in progress). */
  List<Path> all() {
    if (!Files.isDirectory(blobsDirectory())) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(blobsDirectory())) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int count() {
    return all().size();
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
