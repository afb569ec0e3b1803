// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.annal.app.cassandra.EmbeddedCassandraSettings;
import org.annal.app.config.AnnalConfig;
import org.annal.app.impl.CassandraBackend;
import org.annal.app.impl.DataDirLock;
import org.annal.app.impl.NodeIdentity;

/**
 * A node's data dir opened by a command that runs with the node stopped ({@code annal verify},
 * {@code annal reindex}). Opening checks that the data dir, and unless {@code --cassandra} names an
 * external one its embedded Cassandra, already exist (such a command never creates a node), takes
 * the data dir's lock (refusing while a node runs there, rather than start a second embedded
 * Cassandra on the same files) and resolves the node's identity as {@code annal run} does.
 * Closing releases the lock.
 */
final class StoppedNode implements AutoCloseable {
  private final AnnalConfig config;
  private final DataDirLock lock;

  private StoppedNode(AnnalConfig config, DataDirLock lock) {
    this.config = config;
    this.lock = lock;
  }

  /** Opens the data dir that {@code data} names for {@code command} (named in the lock file). */
  static StoppedNode open(NodeDataOptions data, String command) throws IOException {
    AnnalConfig config = data.load(new AnnalConfig.Overrides());
    Path dir = config.dataDir();
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("no data dir " + dir);
    }
    if (config.externalCassandra() == null) {
      Path cassandraDir =
          EmbeddedCassandraSettings.fromConfig(config.underlying(), dir).directory();
      if (!Files.isDirectory(cassandraDir)) {
        throw new IllegalArgumentException("no embedded Cassandra in " + cassandraDir
            + " (nothing was ever stored in this data dir; use --cassandra for an external one)");
      }
    }
    DataDirLock lock = DataDirLock.acquire(dir, command);
    try {
      return new StoppedNode(config.withNodeId(NodeIdentity.resolve(dir, config.configuredNodeId(),
          config.defaultNodeId())), lock);
    } catch (IOException | RuntimeException e) {
      try {
        lock.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** The node's configuration, its node id resolved. */
  AnnalConfig config() {
    return config;
  }

  Path dataDir() {
    return config.dataDir();
  }

  /**
   * The configuration of the command's own minimal ActorSystem on {@code backend}: local provider
   * (no cluster port), Pekko logging at WARNING so that the command's output is its results.
   */
  AnnalConfig localSystemConfig(CassandraBackend backend) {
    return backend.configure(config).with(Map.of(
        "pekko.actor.provider", "local", "pekko.loglevel", "WARNING"));
  }

  @Override
  public void close() throws IOException {
    lock.close();
  }
}
