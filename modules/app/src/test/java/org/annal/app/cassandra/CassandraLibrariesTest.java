// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraLibrariesTest {
  @TempDir Path dir;

  @Test
  void aLibDirNeedsCassandraAndTheGuardJar() throws Exception {
    assertTrue(CassandraLibraries.problem(dir.resolve("missing")).orElseThrow().contains("not a directory"));
    assertTrue(CassandraLibraries.problem(dir).orElseThrow().contains("cassandra-all-"));

    Files.createFile(dir.resolve("cassandra-all-5.0.9.jar"));
    assertTrue(CassandraLibraries.problem(dir).orElseThrow().contains("annal-cassandra-dist-"));

    Files.createFile(dir.resolve("annal-cassandra-dist-0.1.0-SNAPSHOT.jar"));
    assertEquals(Optional.empty(), CassandraLibraries.problem(dir));
    assertEquals(dir.toAbsolutePath(), CassandraLibraries.locate(Optional.of(dir)));
  }

  @Test
  void twoVersionsOfOneJarAreRefusedButClassifiersAreNot() throws Exception {
    for (String jar :
        new String[] {
          "cassandra-all-5.0.9.jar",
          "annal-cassandra-dist-0.1.0-SNAPSHOT.jar",
          "netty-transport-native-epoll-4.1.130.Final.jar",
          "netty-transport-native-epoll-4.1.130.Final-linux-x86_64.jar",
          "ohc-core-0.5.1.jar",
          "ohc-core-j8-0.5.1.jar",
          "jackson-databind-2.19.2.jar"
        }) {
      Files.createFile(dir.resolve(jar));
    }
    assertEquals(Optional.empty(), CassandraLibraries.problem(dir));

    Files.createFile(dir.resolve("jackson-databind-2.21.6.jar"));

    String problem = CassandraLibraries.problem(dir).orElseThrow();
    assertTrue(problem.contains("jackson-databind=[2.19.2, 2.21.6]"), problem);
  }

  @Test
  void theRealLibDirIsClean() {
    // Found from the working directory (modules/app) like the launcher does.
    Path lib = CassandraLibraries.locate(Optional.empty());
    assertEquals(Optional.empty(), CassandraLibraries.problem(lib));
  }

  @Test
  void anUnusableConfiguredDirIsAClearError() {
    EmbeddedCassandraException e =
        assertThrows(
            EmbeddedCassandraException.class, () -> CassandraLibraries.locate(Optional.of(dir)));
    assertTrue(e.getMessage().contains("mvn install"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
  }

  @Test
  void theSystemPropertyWinsOverConfig() throws Exception {
    Files.createFile(dir.resolve("cassandra-all-5.0.9.jar"));
    Files.createFile(dir.resolve("annal-cassandra-dist-0.1.0-SNAPSHOT.jar"));
    String previous = System.getProperty(CassandraLibraries.PROPERTY);
    System.setProperty(CassandraLibraries.PROPERTY, dir.toString());
    try {
      assertEquals(dir.toAbsolutePath(), CassandraLibraries.locate(Optional.of(dir.resolve("elsewhere"))));
    } finally {
      if (previous == null) {
        System.clearProperty(CassandraLibraries.PROPERTY);
      } else {
        System.setProperty(CassandraLibraries.PROPERTY, previous);
      }
    }
  }
}
