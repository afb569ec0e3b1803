// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmbeddedCassandraSettingsTest {
  private static final Path DATA = Path.of("/var/lib/annal");

  private static Config fragment() {
    return ConfigFactory.parseResources("cassandra-embedded.conf").resolve();
  }

  @Test
  void theConfigFragmentHoldsEveryKeyWithItsDocumentedDefault() {
    EmbeddedCassandraSettings settings = EmbeddedCassandraSettings.fromConfig(fragment(), DATA);

    assertEquals(DATA.resolve("cassandra"), settings.directory());
    assertEquals(Optional.empty(), settings.libDir());
    assertEquals("127.0.0.1", settings.listenAddress());
    assertEquals(9042, settings.nativePort());
    assertEquals(7000, settings.storagePort());
    assertEquals(-1, settings.jmxPort());
    assertEquals("1g", settings.heap());
    assertEquals("batch", settings.commitlogSync());
    assertEquals(Duration.ofMillis(2), settings.commitlogSyncGroupWindow());
    assertEquals(Duration.ofSeconds(120), settings.startTimeout());
    assertEquals(Duration.ofSeconds(60), settings.stopTimeout());
    assertEquals(Duration.ofSeconds(30), settings.orphanHaltAfter());
    assertEquals(List.of(), settings.extraJvmOptions());
    assertTrue(settings.classDataSharing());
  }

  @Test
  void overridesAreRead() {
    Config config =
        ConfigFactory.parseString(
                "annal.cassandra.embedded { directory = \"/x/c\", lib-dir = \"/x/lib\", native-port = 0,"
                    + " heap = 512m, commitlog-sync = BATCH, extra-jvm-options = [\"-Dfoo=1\"] }")
            .withFallback(fragment());

    EmbeddedCassandraSettings settings = EmbeddedCassandraSettings.fromConfig(config, DATA);

    assertEquals(Path.of("/x/c"), settings.directory());
    assertEquals(Optional.of(Path.of("/x/lib")), settings.libDir());
    assertEquals(0, settings.nativePort());
    assertEquals("512m", settings.heap());
    assertEquals("batch", settings.commitlogSync());
    assertEquals(List.of("-Dfoo=1"), settings.extraJvmOptions());
  }

  @Test
  void periodicCommitLogIsRefusedBecauseItLosesAcknowledgedWrites() {
    Config config =
        ConfigFactory.parseString("annal.cassandra.embedded.commitlog-sync = periodic")
            .withFallback(fragment());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> EmbeddedCassandraSettings.fromConfig(config, DATA));
    assertTrue(e.getMessage().contains("periodic"), e.getMessage());
  }

  @Test
  void badValuesAreRefused() {
    EmbeddedCassandraSettings ok = EmbeddedCassandraSettings.forDataDir(DATA);
    assertThrows(IllegalArgumentException.class, () -> ok.withHeap("lots"));
    assertThrows(IllegalArgumentException.class, () -> ok.withPorts(70000, 0));
    assertThrows(IllegalArgumentException.class, () -> ok.withPorts(0, -1));
    assertThrows(IllegalArgumentException.class, () -> ok.withJmxPort(-2));
  }
}
