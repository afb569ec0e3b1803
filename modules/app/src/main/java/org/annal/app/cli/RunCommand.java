// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.annal.app.Node;
import org.annal.app.config.AnnalConfig;
import org.annal.app.impl.CassandraBackend;
import org.annal.app.impl.DataDirLock;
import org.annal.app.impl.LogFiles;
import org.annal.app.impl.NodeIdentity;
import org.annal.app.impl.Signals;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code annal run}: the node in the foreground until Ctrl-C or SIGTERM.
 *
 * <p>Order at start: data dir lock, embedded Cassandra (unless {@code --cassandra}) and wait for
 * CQL, then the {@link Node}. At stop: the node's coordinated shutdown, then Cassandra, then the
 * lock; exit 0. If start-up fails, whatever was started is stopped in reverse and the exit code is
 * 1 with a one-line error.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run an Annal node (DICOM C-ECHO/C-STORE, HTTP API) in the foreground.")
public final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Mixin NodeDataOptions data;

  @Option(names = "--dicom-port", paramLabel = "PORT",
      description = "DICOM port (default: 11112, config annal.dicom.port; 0 = any free port).")
  Integer dicomPort;

  @Option(names = "--http-port", paramLabel = "PORT",
      description = "HTTP port (default: 8080, config annal.http.port; 0 = any free port).")
  Integer httpPort;

  @Option(names = "--ae-title", paramLabel = "AE",
      description = "Our AE title (default: ANNAL, config annal.dicom.ae-title).")
  String aeTitle;

  @Option(names = "--cluster-port", paramLabel = "PORT",
      description = "Pekko cluster port (default: 25520, config pekko.remote.artery.canonical.port).")
  Integer clusterPort;

  @Option(names = "--management-port", paramLabel = "PORT",
      description = "Cluster management HTTP port (default: 8558, config pekko.management.http.port).")
  Integer managementPort;

  /** The configuration these flags produce (also what the tests check). */
  public AnnalConfig config() {
    return data.load(new AnnalConfig.Overrides()
        .put("annal.dicom.port", dicomPort)
        .put("annal.http.port", httpPort)
        .put("annal.dicom.ae-title", aeTitle)
        .put("pekko.remote.artery.canonical.port", clusterPort)
        .put("pekko.management.http.port", managementPort));
  }

  @Override
  public Integer call() throws Exception {
    AnnalConfig config = config();
    Path dataDir = config.dataDir();

    AtomicBoolean stopRequested = new AtomicBoolean();
    try (DataDirLock lock = DataDirLock.acquire(dataDir, "run")) {
      LogFiles.attach(config.logDir());
      config = config.withNodeId(
          NodeIdentity.resolve(dataDir, config.configuredNodeId(), config.defaultNodeId()));
      CassandraBackend cassandra = null;
      Node node;
      try {
        cassandra = CassandraBackend.open(config);
        node = Node.start(cassandra.configure(config));
      } catch (Exception e) {
        log.atError().addKeyValue("event", "startup_failed").setCause(e)
            .log("Start-up failed: {}", e.toString());
        if (cassandra != null) {
          cassandra.close();
        }
        String why = oneLine(e);
        throw new StartupException("start-up failed: "
            + (why.length() > 300 ? why.substring(0, 300) + "..." : why)
            + " (details: " + config.logDir().resolve("annal.log") + ")", e);
      }
      // Last: the journal used Cassandra until the actor system was gone.
      try (CassandraBackend last = cassandra) {
        Signals.onTermination(() -> {
          stopRequested.set(true);
          log.atInfo().addKeyValue("event", "stopping").log("Stopping (signal)");
          node.shutdown(CoordinatedShutdown.jvmExitReason());
        });
        node.whenTerminated().toCompletableFuture().get();
        log.atInfo().addKeyValue("event", "stopped").log("Actor system terminated");
      }
      if (!stopRequested.get()) {
        // Terminated from inside (e.g. downed by the Split Brain Resolver): not a clean stop.
        System.err.println("annal: node stopped without being asked to (see the log)");
        return 1;
      }
      log.atInfo().addKeyValue("event", "exit").log("Annal stopped");
      return 0;
    }
  }

  static String oneLine(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.ExecutionException
        || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
    return message.replaceAll("[\\r\\n]+", " ");
  }

  /** A failed start-up: the message is the one line the user sees. */
  static final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    StartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

}
