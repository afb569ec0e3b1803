// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How to run the embedded Cassandra; {@code annal.cassandra.embedded} in
 * {@code cassandra-embedded.conf} documents every field.
 *
 * @param directory holds cassandra.yaml, data, commit log, logs and the pid file
 * @param libDir Cassandra's jars; empty = locate them (see {@link CassandraLibraries})
 * @param listenAddress address for clients and the node itself
 * @param nativePort CQL port, 0 = a free port
 * @param storagePort internode port (SSL port = +1), 0 = free ports
 * @param jmxPort local JMX port, -1 = none, 0 = a free port
 * @param heap -Xms/-Xmx value, e.g. "1g"
 * @param commitlogSync "group" or "batch"
 * @param commitlogSyncGroupWindow group window for "group"
 * @param startTimeout default deadline of {@link EmbeddedCassandra#awaitReady()}
 * @param stopTimeout how long {@link EmbeddedCassandra#stop()} waits after SIGTERM
 * @param orphanHaltAfter how long an orphaned Cassandra may take to shut down before it is halted
 * @param extraJvmOptions appended to the JVM options
 * @param classDataSharing use (and create) a shared class-data archive of Cassandra's classes
 */
public record EmbeddedCassandraSettings(
    Path directory,
    Optional<Path> libDir,
    String listenAddress,
    int nativePort,
    int storagePort,
    int jmxPort,
    String heap,
    String commitlogSync,
    Duration commitlogSyncGroupWindow,
    Duration startTimeout,
    Duration stopTimeout,
    Duration orphanHaltAfter,
    List<String> extraJvmOptions,
    boolean classDataSharing) {

  private static final Pattern HEAP = Pattern.compile("[0-9]+[kKmMgG]?");

  public EmbeddedCassandraSettings {
    if (directory == null) {
      throw new IllegalArgumentException("annal.cassandra.embedded.directory is not set");
    }
    directory = directory.toAbsolutePath().normalize();
    libDir = libDir.map(p -> p.toAbsolutePath().normalize());
    checkPort("native-port", nativePort, 0);
    checkPort("storage-port", storagePort, 0);
    checkPort("jmx-port", jmxPort, -1);
    if (!HEAP.matcher(heap).matches()) {
      throw new IllegalArgumentException("heap must look like 512m or 1g, got " + heap);
    }
    commitlogSync = commitlogSync.toLowerCase(Locale.ROOT);
    if (!commitlogSync.equals("group") && !commitlogSync.equals("batch")) {
      // periodic acknowledges writes that a kill -9 then loses (stack-notes): never for Annal.
      throw new IllegalArgumentException(
          "commitlog-sync must be group or batch (periodic loses acknowledged writes), got "
              + commitlogSync);
    }
    if (commitlogSyncGroupWindow.isNegative() || commitlogSyncGroupWindow.isZero()) {
      throw new IllegalArgumentException("commitlog-sync-group-window must be positive");
    }
    extraJvmOptions = List.copyOf(extraJvmOptions);
  }

  private static void checkPort(String name, int port, int lowest) {
    if (port < lowest || port > 65535) {
      throw new IllegalArgumentException(name + " out of range: " + port);
    }
  }

  /**
   * Defaults for a node whose Annal data directory is {@code dataDir}: Cassandra lives in
   * {@code dataDir/cassandra}, on free ports, with a 1 GB heap and batch commit.
   */
  public static EmbeddedCassandraSettings forDataDir(Path dataDir) {
    return new EmbeddedCassandraSettings(
        dataDir.resolve("cassandra"),
        Optional.empty(),
        "127.0.0.1",
        0,
        0,
        -1,
        "1g",
        "batch",
        Duration.ofMillis(2),
        Duration.ofSeconds(120),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        List.of(),
        true);
  }

  /**
   * Reads {@code annal.cassandra.embedded} from a full config.
   *
   * @param dataDir the node's data directory, used when {@code directory} is empty
   */
  public static EmbeddedCassandraSettings fromConfig(Config config, Path dataDir) {
    Config c = config.getConfig("annal.cassandra.embedded");
    String directory = c.getString("directory");
    String libDir = c.getString("lib-dir");
    return new EmbeddedCassandraSettings(
        directory.isBlank() ? dataDir.resolve("cassandra") : Path.of(directory),
        libDir.isBlank() ? Optional.empty() : Optional.of(Path.of(libDir)),
        c.getString("listen-address"),
        c.getInt("native-port"),
        c.getInt("storage-port"),
        c.getInt("jmx-port"),
        c.getString("heap"),
        c.getString("commitlog-sync"),
        c.getDuration("commitlog-sync-group-window"),
        c.getDuration("start-timeout"),
        c.getDuration("stop-timeout"),
        c.getDuration("orphan-halt-after"),
        c.getStringList("extra-jvm-options"),
        c.getBoolean("class-data-sharing"));
  }

  public EmbeddedCassandraSettings withPorts(int newNativePort, int newStoragePort) {
    return new EmbeddedCassandraSettings(directory, libDir, listenAddress, newNativePort, newStoragePort, jmxPort,
        heap, commitlogSync, commitlogSyncGroupWindow, startTimeout, stopTimeout, orphanHaltAfter,
        extraJvmOptions, classDataSharing);
  }

  public EmbeddedCassandraSettings withHeap(String newHeap) {
    return new EmbeddedCassandraSettings(directory, libDir, listenAddress, nativePort, storagePort,
        jmxPort, newHeap, commitlogSync, commitlogSyncGroupWindow, startTimeout, stopTimeout,
        orphanHaltAfter, extraJvmOptions, classDataSharing);
  }

  public EmbeddedCassandraSettings withLibDir(Path dir) {
    return new EmbeddedCassandraSettings(directory, Optional.of(dir), listenAddress, nativePort,
        storagePort, jmxPort, heap, commitlogSync, commitlogSyncGroupWindow, startTimeout,
        stopTimeout, orphanHaltAfter, extraJvmOptions, classDataSharing);
  }

  public EmbeddedCassandraSettings withClassDataSharing(boolean on) {
    return new EmbeddedCassandraSettings(directory, libDir, listenAddress, nativePort, storagePort,
        jmxPort, heap, commitlogSync, commitlogSyncGroupWindow, startTimeout, stopTimeout,
        orphanHaltAfter, extraJvmOptions, on);
  }

  public EmbeddedCassandraSettings withJmxPort(int port) {
    return new EmbeddedCassandraSettings(directory, libDir, listenAddress, nativePort, storagePort,
        port, heap, commitlogSync, commitlogSyncGroupWindow, startTimeout, stopTimeout,
        orphanHaltAfter, extraJvmOptions, classDataSharing);
  }
}
