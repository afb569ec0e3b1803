// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The node id a data dir belongs to, kept in {@code DATA_DIR/node-id}. Placements in events name
 * the node that holds a blob, and {@code annal verify} checks only this node's placements, so the
 * id must not change when the host is renamed: the first run writes it, later runs read it. An
 * explicitly configured {@code annal.node-id} wins (and is written if the file is absent).
 * Internal API.
 */
public final class NodeIdentity {
  public static final String FILE_NAME = "node-id";

  private NodeIdentity() {}

  /**
   * @param configured {@code annal.node-id} as configured, empty if not set
   * @param fallback the id to use and remember when neither is set (the host name)
   */
  public static String resolve(Path dataDir, String configured, String fallback) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    String stored = Files.exists(file)
        ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
    String id = !configured.isBlank() ? configured : !stored.isEmpty() ? stored : fallback;
    if (stored.isEmpty()) {
      Files.createDirectories(dataDir);
      Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
      Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    return id;
  }
}
