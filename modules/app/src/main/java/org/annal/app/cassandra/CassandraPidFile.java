// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code cassandra.pid}: the pid of the Cassandra JVM that runs on a directory. If a start finds a
 * live process there (an orphan of a parent that died before its guard noticed, or one still
 * draining), that process is stopped first: two Cassandras on one data directory corrupt it.
 */
final class CassandraPidFile {
  private static final Logger log = LoggerFactory.getLogger(CassandraPidFile.class);

  private CassandraPidFile() {}

  static void write(Path file, long pid) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, pid + "\n", StandardCharsets.US_ASCII);
    Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  static Optional<Long> read(Path file) {
    try {
      return Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Stops the process named in {@code file} if it is alive and is a Cassandra started with
   * {@code yaml} (a recycled pid of an unrelated process is left alone), then deletes the file.
   */
  static void stopLeftover(Path file, Path yaml, Duration gracePeriod) throws IOException {
    Optional<Long> pid = read(file);
    if (pid.isEmpty()) {
      Files.deleteIfExists(file);
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
    if (process.isPresent()) {
      String commandLine = process.get().info().commandLine().orElse("");
      if (commandLine.contains(yaml.toUri().toString())) {
        log.warn("A Cassandra (pid {}) still runs on {}: stopping it first", pid.get(), yaml.getParent());
        terminate(process.get(), gracePeriod);
      } else {
        log.info("Stale {}: pid {} is not a Cassandra for this directory", file, pid.get());
      }
    }
    Files.deleteIfExists(file);
  }

  /** SIGTERM, wait {@code gracePeriod}, then SIGKILL and wait again. */
  static void terminate(ProcessHandle process, Duration gracePeriod) {
    process.destroy();
    if (!awaitExit(process, gracePeriod)) {
      log.warn("Cassandra (pid {}) ignored SIGTERM for {}: killing it", process.pid(), gracePeriod);
      process.destroyForcibly();
      if (!awaitExit(process, Duration.ofSeconds(30))) {
        throw new EmbeddedCassandraException("Cassandra pid " + process.pid() + " does not die");
      }
    }
  }

  private static boolean awaitExit(ProcessHandle process, Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
