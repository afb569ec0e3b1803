// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraPidFileTest {
  @TempDir Path dir;

  @Test
  void aLeftoverProcessStartedWithThisYamlIsStopped() throws Exception {
    Path yaml = dir.resolve("cassandra.yaml");
    Path pidFile = dir.resolve("cassandra.pid");
    // Stands in for an orphaned Cassandra: its command line names the yaml, as the real one does.
    Process leftover = new ProcessBuilder("sh", "-c", "sleep 600", yaml.toUri().toString()).start();
    try {
      CassandraPidFile.write(pidFile, leftover.pid());
      assertEquals(Optional.of(leftover.pid()), CassandraPidFile.read(pidFile));

      CassandraPidFile.stopLeftover(pidFile, yaml, Duration.ofSeconds(10));

      assertTrue(leftover.waitFor(10, TimeUnit.SECONDS));
      assertFalse(Files.exists(pidFile));
    } finally {
      leftover.destroyForcibly();
    }
  }

  @Test
  void aRecycledPidOfAnotherProcessIsLeftAlone() throws Exception {
    Path pidFile = dir.resolve("cassandra.pid");
    Process unrelated = new ProcessBuilder("sh", "-c", "sleep 600").start();
    try {
      CassandraPidFile.write(pidFile, unrelated.pid());

      CassandraPidFile.stopLeftover(pidFile, dir.resolve("cassandra.yaml"), Duration.ofSeconds(10));

      assertTrue(unrelated.isAlive());
      assertFalse(Files.exists(pidFile), "the stale file is removed");
    } finally {
      unrelated.destroyForcibly();
    }
  }

  @Test
  void aGarbagePidFileIsRemoved() throws Exception {
    Path pidFile = dir.resolve("cassandra.pid");
    Files.writeString(pidFile, "not a pid");

    CassandraPidFile.stopLeftover(pidFile, dir.resolve("cassandra.yaml"), Duration.ofSeconds(10));

    assertFalse(Files.exists(pidFile));
  }
}
