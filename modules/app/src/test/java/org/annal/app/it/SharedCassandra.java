// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One embedded Cassandra for several nodes ({@code annal cassandra}), in its own JVM, the way
 * {@code cluster-config/local-cluster.sh} runs one. Nodes reach it with
 * {@code annal.cassandra.external}. {@link #close()} stops it (SIGTERM, then SIGKILL).
 */
final class SharedCassandra implements AutoCloseable {
  private final int port;
  private final ExternalTool.Started process;
  private final Thread killer;

  SharedCassandra(Path workDir) {
    this.port = FreePorts.next();
    try {
      Path config = workDir.resolve("cassandra.conf");
      Files.createDirectories(workDir);
      Files.write(config, List.of("annal.cassandra.embedded.storage-port = " + FreePorts.next()));
      process = ExternalTool.start(workDir.resolve("cassandra.log"), AnnalNode.annalCommand(List.of(
          "cassandra", "--data-dir", workDir.resolve("data").toString(),
          "--port", Integer.toString(port), "--config", config.toString())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    killer = new Thread(() -> process.process().toHandle().descendants()
        .forEach(ProcessHandle::destroyForcibly), "kill-shared-cassandra");
    Runtime.getRuntime().addShutdownHook(killer);
    Await.until(AnnalNode.READY_TIMEOUT, "\"Cassandra ready\" in " + process.log(), () -> {
      if (!process.process().isAlive()) {
        fail("annal cassandra exited:\n" + ExternalTool.tail(process.outputSoFar(), 40));
      }
      return process.outputSoFar().contains("Cassandra ready at");
    }, () -> ExternalTool.tail(process.outputSoFar(), 40));
  }

  /** "127.0.0.1:port", for annal.cassandra.external. */
  String address() {
    return "127.0.0.1:" + port;
  }

  /** A CQL session on it, for checks of the journal tables themselves. */
  CqlSession session() {
    return CqlSession.builder().addContactPoint(new InetSocketAddress("127.0.0.1", port))
        .withLocalDatacenter("datacenter1").build();
  }

  @Override
  public void close() {
    Process p = process.process();
    List<ProcessHandle> children = p.toHandle().descendants().toList();
    p.destroy();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
