// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.OptionsMap;
import com.datastax.oss.driver.api.core.config.TypedDriverOption;
import com.datastax.oss.driver.api.core.cql.Row;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Cassandra 5.0 in its own JVM: durability across kill -9, and that it never outlives the
 * JVM that started it. Needs {@code modules/cassandra-dist/target/lib} (mvn install).
 */
class EmbeddedCassandraIT {
  private static final Duration READY = Duration.ofSeconds(180);
  private static final Duration DEATH = Duration.ofSeconds(90);

  @TempDir Path dataDir;
  private final List<Long> pidsToReap = new ArrayList<>();
  private EmbeddedCassandra cassandra;

  private EmbeddedCassandraSettings settings() {
    // 512m passed the stack-notes workload and leaves room for other nodes on a small machine.
    return EmbeddedCassandraSettings.forDataDir(dataDir).withHeap("512m");
  }

  @AfterEach
  void cleanUp() {
    if (cassandra != null) {
      cassandra.stop();
    }
    for (long pid : pidsToReap) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void acknowledgedWritesSurviveKill9RestartAndTakeover() {
    long t0 = System.nanoTime();
    cassandra = EmbeddedCassandra.start(settings());
    pidsToReap.add(cassandra.pid());
    assertEquals("5.0.9", cassandra.awaitReady(READY));
    long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    System.out.printf(
        "Embedded Cassandra: first start to ready %d ms, RSS %d MiB (heap 512m)%n",
        readyMillis, rssKib(cassandra.pid()) / 1024);
    String yaml = read(dataDir.resolve("cassandra/cassandra.yaml"));
    assertTrue(yaml.contains("commitlog_sync: batch\n"), yaml);
    assertEquals(String.valueOf(cassandra.pid()), read(dataDir.resolve("cassandra/cassandra.pid")).trim());

    try (CqlSession session = session()) {
      session.execute(
          "CREATE KEYSPACE annal_it WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE annal_it.events (id int PRIMARY KEY, payload text)");
      for (int i = 0; i < 200; i++) {
        session.execute("INSERT INTO annal_it.events (id, payload) VALUES (?, ?)", i, "event-" + i);
      }
    }
    long firstPid = cassandra.pid();
    cassandra.kill9();
    assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false));

    long t1 = System.nanoTime();
    cassandra.restart();
    pidsToReap.add(cassandra.pid());
    assertNotEquals(firstPid, cassandra.pid());
    cassandra.awaitReady(READY);
    System.out.printf(
        "Embedded Cassandra: restart after kill -9 to ready %d ms, RSS %d MiB%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1), rssKib(cassandra.pid()) / 1024);

    try (CqlSession session = session()) {
      Row count = session.execute("SELECT count(*) FROM annal_it.events").one();
      assertEquals(200L, count.getLong(0));
      Row last = session.execute("SELECT payload FROM annal_it.events WHERE id = 199").one();
      assertEquals("event-199", last.getString("payload"));
    }

    // A new launcher on the same directory (a restarted Annal finding its old Cassandra still
    // running) stops the old process through the pid file before it starts its own.
    EmbeddedCassandra old = cassandra;
    long oldPid = old.pid();
    cassandra = EmbeddedCassandra.start(settings().withPorts(old.nativePort(), old.storagePort()));
    pidsToReap.add(cassandra.pid());
    assertFalse(isAlive(oldPid), "the leftover Cassandra was stopped first");
    cassandra.awaitReady(READY);
    old.stop(); // a no-op on a dead process, and must not delete the new process's pid file
    assertEquals(String.valueOf(cassandra.pid()), read(dataDir.resolve("cassandra/cassandra.pid")).trim());
    try (CqlSession session = session()) {
      assertEquals(200L, session.execute("SELECT count(*) FROM annal_it.events").one().getLong(0));
    }
  }

  @Test
  void cassandraExitsWhenItsStdinCloses() {
    cassandra = EmbeddedCassandra.start(settings());
    long pid = cassandra.pid();
    pidsToReap.add(pid);
    cassandra.awaitReady(READY);

    cassandra.closeParentPipe();

    // Our child: isAlive() turns false only once the JVM has reaped it, so it really exited.
    awaitCondition(
        () -> !cassandra.isAlive(), DEATH, "Cassandra " + pid + " still alive after its stdin closed");
    assertTrue(
        read(dataDir.resolve("cassandra/logs/stdout.log")).contains("parent process is gone"),
        "the guard, not something else, stopped it");
  }

  @Test
  void cassandraDiesWhenItsParentIsKilled9() throws Exception {
    Path parentLog = dataDir.resolve("parent.log");
    Process parent =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                EmbeddedCassandraParentMain.class.getName(),
                dataDir.toString())
            .redirectError(parentLog.toFile())
            .start();
    pidsToReap.add(parent.pid());
    long cassandraPid = readCassandraPid(parent, parentLog);
    pidsToReap.add(cassandraPid);
    assertTrue(isAlive(cassandraPid));

    parent.destroyForcibly(); // SIGKILL: no shutdown hook runs in the parent
    assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
    long killedAt = System.nanoTime();

    awaitCondition(
        () -> !isAlive(cassandraPid),
        DEATH,
        "Cassandra " + cassandraPid + " outlived its parent " + parent.pid());
    System.out.printf(
        "Embedded Cassandra: gone %d ms after its parent was killed with SIGKILL%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
  }

  // ---- helpers

  private CqlSession session() {
    // Driver defaults, not the classpath's config files: other modules' reference.conf files are
    // irrelevant here, and their jars may be rebuilt while this test runs.
    OptionsMap options = OptionsMap.driverDefaults();
    options.put(TypedDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30));
    return CqlSession.builder()
        .withConfigLoader(DriverConfigLoader.fromMap(options))
        .addContactPoint(cassandra.contactPoint())
        .withLocalDatacenter(cassandra.localDatacenter())
        .build();
  }

  /** The parent prints "CASSANDRA_PID <pid>" once its Cassandra is ready. */
  private static long readCassandraPid(Process parent, Path parentLog) throws Exception {
    CompletableFuture<Long> pid =
        CompletableFuture.supplyAsync(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  if (line.startsWith(EmbeddedCassandraParentMain.MARKER)) {
                    return Long.parseLong(line.substring(EmbeddedCassandraParentMain.MARKER.length()).trim());
                  }
                }
                throw new IllegalStateException("parent ended without a pid: " + read(parentLog));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    try {
      return pid.get(READY.toSeconds() + 30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no Cassandra pid from the parent; its log:\n" + read(parentLog), e);
    }
  }

  /**
   * Alive and not a zombie: an orphan's new parent (here PID 1 of a container) may not reap it, and
   * a zombie holds no port, file or memory.
   */
  static boolean isAlive(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String s = Files.readString(stat);
      char state = s.charAt(s.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException gone) {
      return false;
    }
  }

  static long rssKib(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
          .filter(l -> l.startsWith("VmRSS:"))
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
          .findFirst()
          .orElse(-1L);
    } catch (IOException e) {
      return -1;
    }
  }

  static void awaitCondition(BooleanSupplier condition, Duration timeout, String message) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(message + " (waited " + timeout + ")");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // poll interval, not a fixed wait
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
