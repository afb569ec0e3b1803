// SPDX-License-Identifier: Apache-2.0
package org.annal.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.annal.storage.impl.BlobLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class BlobKeyTest {

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "../x",
        "../../../../etc/passwd",
        "/etc",
        "/etc/passwd",
        "ABCDEF0123456789",
        "abcdef0123456789ABCDEF",
        "abc",
        "",
        "abcdef01/23456789",
        "abcdef01\\23456789",
        "abcdef01.23456789",
        "-abcdef0123456789",
        "abcdef0123456789\n"
      })
  void refusesAnythingThatCouldNameAPath(String value) {
    assertThrows(IllegalArgumentException.class, () -> new BlobKey(value));
  }

  @Test
  void generatedKeysAreValidAndLandUnderTheirFanOutDirectories(@TempDir Path root)
      throws Exception {
    BlobKey key = BlobLayout.newKey();
    assertEquals(32, key.value().length());
    BlobLayout layout = BlobLayout.open(root);
    Path path = layout.blobPath(key);
    String k = key.value();
    assertEquals(
        root.toAbsolutePath().resolve("blobs").resolve(k.substring(0, 2)).resolve(k.substring(2, 4)).resolve(k),
        path);
    assertEquals(java.util.Optional.of(key), layout.keyOf(path));
    // A valid key in the wrong directory is not one of ours.
    assertEquals(java.util.Optional.empty(), layout.keyOf(root.resolve("blobs").resolve(k)));
  }
}
