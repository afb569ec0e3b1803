// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CassandraConfigFilesTest {
  private final CassandraLayout layout = new CassandraLayout(Path.of("/data/it's here/cassandra"));

  /** The documented defaults with {@code commitlog-sync} set to {@code mode}. */
  private static EmbeddedCassandraSettings withSync(String mode) {
    return EmbeddedCassandraSettings.fromConfig(
        com.typesafe.config.ConfigFactory.parseString("annal.cassandra.embedded.commitlog-sync = " + mode)
            .withFallback(com.typesafe.config.ConfigFactory.parseResources("cassandra-embedded.conf")),
        Path.of("/d"));
  }

  @Test
  void groupCommitWithItsWindowAndNoPeriod() {
    String yaml = CassandraConfigFiles.yaml(layout, withSync("group"), 19042, 17000);

    assertTrue(yaml.contains("commitlog_sync: group\n"), yaml);
    assertTrue(yaml.contains("commitlog_sync_group_window: 2ms\n"), yaml);
    // Cassandra refuses a period next to group/batch (stack-notes).
    assertFalse(yaml.contains("commitlog_sync_period"), yaml);
    assertFalse(yaml.contains("batch_window"), yaml);
  }

  @Test
  void defaultIsBatchCommitWithFewRequestThreads() {
    String yaml = CassandraConfigFiles.yaml(
        layout, EmbeddedCassandraSettings.forDataDir(Path.of("/d")), 19042, 17000);
    assertTrue(yaml.contains("commitlog_sync: batch\n"), yaml);
    assertTrue(yaml.contains("concurrent_writes: 4\n"), yaml);
    assertTrue(yaml.contains("native_transport_max_threads: 4\n"), yaml);
  }

  @Test
  void batchCommitHasNoOtherCommitLogSyncKey() {
    String yaml = CassandraConfigFiles.yaml(layout, withSync("batch"), 19042, 17000);

    List<String> syncKeys = yaml.lines().filter(l -> l.startsWith("commitlog_sync")).toList();
    assertEquals(List.of("commitlog_sync: batch"), syncKeys);
  }

  @Test
  void singleNodeOnTheGivenPortsAndDirectories() {
    String yaml =
        CassandraConfigFiles.yaml(layout, EmbeddedCassandraSettings.forDataDir(Path.of("/d")), 19042, 17000);

    assertTrue(yaml.contains("cluster_name: 'annal'\n"));
    assertTrue(yaml.contains("native_transport_port: 19042\n"));
    assertTrue(yaml.contains("storage_port: 17000\n"));
    assertTrue(yaml.contains("ssl_storage_port: 17001\n"));
    assertTrue(yaml.contains("- seeds: \"127.0.0.1:17000\"\n"));
    assertTrue(yaml.contains("endpoint_snitch: SimpleSnitch\n"));
    assertTrue(yaml.contains("authenticator: AllowAllAuthenticator\n"));
    // A quote in a path is doubled inside a single-quoted YAML scalar.
    assertTrue(yaml.contains("commitlog_directory: '/data/it''s here/cassandra/commitlog'\n"), yaml);
  }

  @Test
  void jvmCommandRunsTheGuardWithCassandrasJarsAndJava17Flags() {
    EmbeddedCassandraSettings settings = EmbeddedCassandraSettings.forDataDir(Path.of("/d")).withHeap("768m");
    List<String> withoutJmx = CassandraJvm.command(settings, layout, Path.of("/lib"), -1);
    List<String> withJmx = CassandraJvm.command(settings, layout, Path.of("/lib"), 7199);

    assertEquals(CassandraJvm.MAIN_CLASS, withoutJmx.get(withoutJmx.size() - 1));
    assertEquals("/lib/*", withoutJmx.get(withoutJmx.size() - 2));
    assertTrue(withoutJmx.containsAll(List.of("-Xms768m", "-Xmx768m", "-Dcassandra-foreground=yes")));
    assertTrue(withoutJmx.containsAll(CassandraJvm.JAVA17_MODULE_FLAGS));
    assertTrue(withoutJmx.contains("-Dcassandra.config=" + layout.yaml().toUri()));
    assertTrue(withoutJmx.contains("-Dcassandra.ring_delay_ms=0"));
    assertFalse(withoutJmx.stream().anyMatch(a -> a.startsWith("-Dcassandra.jmx")), withoutJmx.toString());
    assertTrue(withJmx.contains("-Dcassandra.jmx.local.port=7199"));
  }
}
