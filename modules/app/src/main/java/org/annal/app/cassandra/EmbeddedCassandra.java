// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.OptionsMap;
import com.datastax.oss.driver.api.core.config.TypedDriverOption;
import com.datastax.oss.driver.api.core.cql.Row;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Cassandra 5.0 node in its own JVM, for development and tests (production uses an
 * external cluster). The parent keeps the child's stdin pipe open; {@code OrphanGuard} in the
 * child exits when it closes, so Cassandra never outlives this JVM, even after {@code kill -9}.
 *
 * <pre>{@code
 * EmbeddedCassandra cassandra = EmbeddedCassandra.start(settings);
 * cassandra.awaitReady();                 // CQL answers SELECT release_version FROM system.local
 * ... connect to 127.0.0.1:cassandra.nativePort(), datacenter "datacenter1" ...
 * cassandra.stop();                       // SIGTERM, drain, SIGKILL after stop-timeout
 * }</pre>
 *
 * Writes are acknowledged only after their commit log fsync ({@code commitlog_sync: group} or
 * {@code batch}), so an event the journal acknowledged survives a crash of either JVM.
 */
public final class EmbeddedCassandra implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);
  private static final String DATACENTER = "datacenter1";
  private static final int LOG_TAIL_LINES = 40;

  private final EmbeddedCassandraSettings settings;
  private final CassandraLayout layout;
  private final Path libDir;
  private final int nativePort;
  private final int storagePort;
  private final int jmxPort;
  private Process process;
  private OutputStream parentPipe;
  private ClassDataSharing.Plan classDataSharing = ClassDataSharing.Plan.none();
  private long startedAtNanos;

  private EmbeddedCassandra(
      EmbeddedCassandraSettings settings, Path libDir, int nativePort, int storagePort, int jmxPort) {
    this.settings = settings;
    this.layout = new CassandraLayout(settings.directory());
    this.libDir = libDir;
    this.nativePort = nativePort;
    this.storagePort = storagePort;
    this.jmxPort = jmxPort;
  }

  /**
   * Writes the config and starts the Cassandra JVM; returns once the process runs (use
   * {@link #awaitReady()} before connecting). A Cassandra left running on the same directory is
   * stopped first. Ports given as 0 are chosen now and kept for {@link #restart()}.
   */
  public static EmbeddedCassandra start(EmbeddedCassandraSettings settings) {
    return start(settings, Set.of());
  }

  /**
   * As {@link #start(EmbeddedCassandraSettings)}, never choosing one of {@code reserved} for a port
   * given as 0: the node's own ports, which are free now only because the node binds them later.
   * (A benchmark once gave the node a cluster port that Cassandra had also picked; the node's
   * self-join then spoke Artery to Cassandra's storage port and Cassandra exited.)
   */
  public static EmbeddedCassandra start(EmbeddedCassandraSettings settings, Set<Integer> reserved) {
    Path libDir = CassandraLibraries.locate(settings.libDir());
    Set<Integer> taken = new HashSet<>(reserved);
    int nativePort = settings.nativePort() != 0 ? settings.nativePort() : freePort(settings, taken);
    taken.add(nativePort);
    // storage_port and ssl_storage_port = +1 must both be free.
    int storagePort =
        settings.storagePort() != 0 ? settings.storagePort() : freePortPair(settings, taken);
    taken.add(storagePort);
    taken.add(storagePort + 1);
    int jmxPort = settings.jmxPort() != 0 ? settings.jmxPort() : freePort(settings, taken);
    EmbeddedCassandra cassandra =
        new EmbeddedCassandra(settings, libDir, nativePort, storagePort, jmxPort);
    cassandra.launch();
    return cassandra;
  }

  /** Starts the process again on the same directory and ports after {@link #stop} or a crash. */
  public synchronized EmbeddedCassandra restart() {
    if (isAlive()) {
      throw new IllegalStateException("Cassandra (pid " + pid() + ") is still running");
    }
    launch();
    return this;
  }

  private synchronized void launch() {
    // A previous process of this instance that exited on its own may have written an archive.
    ClassDataSharing.publish(classDataSharing);
    try {
      layout.createDirectories();
      CassandraPidFile.stopLeftover(layout.pidFile(), layout.yaml(), settings.stopTimeout());
      CassandraConfigFiles.write(
          layout, CassandraConfigFiles.yaml(layout, settings, nativePort, storagePort));
      List<String> options = CassandraJvm.options(settings, layout, jmxPort);
      classDataSharing = planClassDataSharing(options);
      List<String> command = CassandraJvm.command(options, classDataSharing.jvmOptions(), libDir);
      log.debug("Starting Cassandra: {}", command);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(layout.directory().toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.stdoutLog().toFile()));
      // stdin stays a pipe: its write end, held by this JVM, is the child's life line.
      startedAtNanos = System.nanoTime();
      process = builder.start();
      parentPipe = process.getOutputStream();
      try {
        CassandraPidFile.write(layout.pidFile(), process.pid());
      } catch (IOException e) {
        // Without a pid file a later start could not find this process: do not leave it running.
        process.destroyForcibly();
        throw e;
      }
      log.info(
          "Started Cassandra (pid {}) in {}: CQL {}:{}, storage port {}, heap {}",
          process.pid(),
          layout.directory(),
          settings.listenAddress(),
          nativePort,
          storagePort,
          settings.heap());
    } catch (IOException e) {
      throw new EmbeddedCassandraException("cannot start Cassandra in " + layout.directory(), e);
    }
  }

  private ClassDataSharing.Plan planClassDataSharing(List<String> options) throws IOException {
    if (!settings.classDataSharing()) {
      return ClassDataSharing.Plan.none();
    }
    // -D options name this node's files and ports; the archive depends only on the rest.
    List<String> shared = options.stream().filter(o -> !o.startsWith("-D")).toList();
    // Inside the lib dir: rebuilding modules/cassandra-dist empties it, and with it the archives
    // of jars that no longer exist. The 'lib/*' class path matches only *.jar, not this directory.
    return ClassDataSharing.plan(libDir.resolve("cds"), ClassDataSharing.identity(shared, libDir));
  }

  /** {@link #awaitReady(Duration)} with {@code start-timeout}. */
  public String awaitReady() {
    return awaitReady(settings.startTimeout());
  }

  /**
   * Waits until Cassandra answers {@code SELECT release_version FROM system.local} over CQL.
   *
   * @return Cassandra's release version
   * @throws EmbeddedCassandraException with the tail of Cassandra's log if the process exits or
   *     the deadline passes first
   */
  public String awaitReady(Duration timeout) {
    Process p = requireProcess();
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception lastFailure = null;
    while (true) {
      if (!p.isAlive()) {
        throw new EmbeddedCassandraException(
            "Cassandra exited with code " + p.exitValue() + " before it was ready. " + logTail());
      }
      if (portAccepts()) {
        try {
          String version = releaseVersion();
          log.info(
              "Cassandra {} ready on port {} after {} ms",
              version,
              nativePort,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAtNanos));
          return version;
        } catch (RuntimeException e) {
          lastFailure = e;
        }
      }
      if (System.nanoTime() - deadline > 0) {
        EmbeddedCassandraException timedOut =
            new EmbeddedCassandraException(
                "Cassandra (pid " + p.pid() + ") not ready after " + timeout + ". " + logTail());
        if (lastFailure != null) {
          timedOut.addSuppressed(lastFailure);
        }
        throw timedOut;
      }
      // Wait for the next poll, returning at once if the process dies meanwhile.
      awaitExit(p, Duration.ofMillis(200));
    }
  }

  private boolean portAccepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(settings.listenAddress(), nativePort), 1000);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private String releaseVersion() {
    // Driver defaults only: the probe must not depend on the application's driver config (a
    // session keyspace there would not exist yet), nor read config files on every attempt.
    OptionsMap options = OptionsMap.driverDefaults();
    options.put(TypedDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofSeconds(2));
    options.put(TypedDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5));
    options.put(TypedDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(5));
    options.put(TypedDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10));
    options.put(TypedDriverOption.METADATA_SCHEMA_ENABLED, false);
    options.put(TypedDriverOption.METADATA_TOKEN_MAP_ENABLED, false);
    DriverConfigLoader config = DriverConfigLoader.fromMap(options);
    try (CqlSession session =
        CqlSession.builder()
            .withConfigLoader(config)
            .addContactPoint(contactPoint())
            .withLocalDatacenter(DATACENTER)
            .build()) {
      Row row = session.execute("SELECT release_version FROM system.local").one();
      if (row == null) {
        throw new IllegalStateException("system.local is empty");
      }
      return row.getString("release_version");
    }
  }

  /**
   * Stops Cassandra: SIGTERM (Cassandra drains its memtables), then SIGKILL if it is still running
   * after {@code stop-timeout}. Does nothing if it is not running.
   */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    if (process.isAlive()) {
      log.info("Stopping Cassandra (pid {})", process.pid());
      long stopping = System.nanoTime();
      CassandraPidFile.terminate(process.toHandle(), settings.stopTimeout());
      awaitExit(process, Duration.ofSeconds(30));
      log.info(
          "Cassandra (pid {}) stopped in {} ms",
          process.pid(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
    }
    closePipe();
    deletePidFile();
    ClassDataSharing.publish(classDataSharing);
  }

  /** SIGKILL, as a crash would; for tests. The pid file stays, as after a real crash. */
  public synchronized void kill9() {
    Process p = requireProcess();
    p.destroyForcibly();
    if (!awaitExit(p, Duration.ofSeconds(30))) {
      throw new EmbeddedCassandraException("Cassandra pid " + p.pid() + " survived SIGKILL");
    }
    closePipe();
  }

  @Override
  public void close() {
    stop();
  }

  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The Cassandra JVM's pid (of the latest start). */
  public synchronized long pid() {
    return requireProcess().pid();
  }

  public int nativePort() {
    return nativePort;
  }

  public int storagePort() {
    return storagePort;
  }

  /** The local JMX port, or -1 if JMX is off. */
  public int jmxPort() {
    return jmxPort;
  }

  /** Where a client connects: {@code listen-address:nativePort}. */
  public InetSocketAddress contactPoint() {
    return new InetSocketAddress(settings.listenAddress(), nativePort);
  }

  /** The data centre name a client must declare as local. */
  public String localDatacenter() {
    return DATACENTER;
  }

  public Path directory() {
    return layout.directory();
  }

  /** Cassandra's own log (INFO and above). */
  public Path systemLog() {
    return layout.systemLog();
  }

  private Process requireProcess() {
    if (process == null) {
      throw new IllegalStateException("Cassandra was never started");
    }
    return process;
  }

  /**
   * Closes this JVM's end of the child's stdin, as the death of this JVM would: the child's guard
   * then shuts Cassandra down. For tests.
   */
  synchronized void closeParentPipe() {
    closePipe();
  }

  private void closePipe() {
    try {
      if (parentPipe != null) {
        parentPipe.close();
      }
    } catch (IOException ignored) {
      // The child is gone; the pipe may already be broken.
    }
  }

  private void deletePidFile() {
    // Only our own: a later start on this directory may have replaced the file (and this process).
    if (CassandraPidFile.read(layout.pidFile()).filter(pid -> pid == process.pid()).isEmpty()) {
      return;
    }
    try {
      java.nio.file.Files.deleteIfExists(layout.pidFile());
    } catch (IOException e) {
      log.warn("Cannot delete {}: {}", layout.pidFile(), e.toString());
    }
  }

  private String logTail() {
    return "Last lines of "
        + layout.systemLog()
        + ":\n"
        + LogTail.lastLines(layout.systemLog(), LOG_TAIL_LINES)
        + "\nLast lines of "
        + layout.stdoutLog()
        + ":\n"
        + LogTail.lastLines(layout.stdoutLog(), LOG_TAIL_LINES);
  }

  private static boolean awaitExit(Process p, Duration timeout) {
    try {
      p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException stillRunning) {
      return false;
    } catch (ExecutionException e) {
      return !p.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedCassandraException("interrupted while waiting for Cassandra", e);
    }
  }

  /** A free port not in {@code taken}. */
  static int freePort(EmbeddedCassandraSettings settings, Set<Integer> taken) {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(settings.listenAddress(), 0));
        if (!taken.contains(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("no free port on " + settings.listenAddress(), e);
      }
    }
    throw new EmbeddedCassandraException("no free port on " + settings.listenAddress());
  }

  /** A free port p whose p + 1 is free too, neither in {@code taken}. */
  private static int freePortPair(EmbeddedCassandraSettings settings, Set<Integer> taken) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port = freePort(settings, taken);
      if (port < 65535 && !taken.contains(port + 1)) {
        try (ServerSocket next = new ServerSocket()) {
          next.bind(new InetSocketAddress(settings.listenAddress(), port + 1));
          return port;
        } catch (IOException inUse) {
          // Try another.
        }
      }
    }
    throw new EmbeddedCassandraException("no two consecutive free ports on " + settings.listenAddress());
  }
}
