// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Ports chosen for the embedded Cassandra never include the node's own (reserved) ports. */
class FreePortTest {
  private final EmbeddedCassandraSettings settings =
      EmbeddedCassandraSettings.forDataDir(Path.of("/tmp/annal-free-port-test"));

  @Test
  void aReservedPortIsNeverChosen() {
    // Reserve every port the OS hands out first; the next ones asked for must differ.
    Set<Integer> reserved = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      int port = EmbeddedCassandra.freePort(settings, reserved);
      assertFalse(reserved.contains(port), "port " + port + " was reserved");
      assertTrue(port > 0 && port <= 65535);
      reserved.add(port);
    }
  }

  @Test
  void whenEveryPortIsReservedItSaysSo() {
    Set<Integer> all = new HashSet<>();
    IntStream.rangeClosed(1, 65535).forEach(all::add);
    assertThrows(EmbeddedCassandraException.class, () -> EmbeddedCassandra.freePort(settings, all));
  }
}
