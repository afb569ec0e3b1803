// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.annal.app.cassandra.EmbeddedCassandra;
import org.annal.app.cassandra.EmbeddedCassandraSettings;
import org.annal.app.config.AnnalConfig;
import org.annal.app.config.HostAndPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Cassandra a command uses: the external one of {@code --cassandra}, or the embedded one of
 * the data dir, started here and waited for. {@link #close()} stops only what was started here.
 * Internal API.
 */
public final class CassandraBackend implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CassandraBackend.class);

  private static final String ARTERY_PORT = "pekko.remote.artery.canonical.port";

  private final EmbeddedCassandra embedded;
  private final List<HostAndPort> contactPoints;

  private CassandraBackend(EmbeddedCassandra embedded, List<HostAndPort> contactPoints) {
    this.embedded = embedded;
    this.contactPoints = List.copyOf(contactPoints);
  }

  /** Starts the embedded Cassandra unless the config names an external one; blocks until CQL answers. */
  public static CassandraBackend open(AnnalConfig config) {
    List<HostAndPort> external = config.externalCassandraNodes();
    if (!external.isEmpty()) {
      log.atInfo().addKeyValue("event", "cassandra_external").log("Using Cassandra at {}", external);
      return new CassandraBackend(null, external);
    }
    // The node binds these only after Cassandra is up: Cassandra must not take them meanwhile.
    Set<Integer> nodePorts = new HashSet<>(List.of(config.httpPort(), config.dicomPort()));
    if (config.underlying().hasPath(ARTERY_PORT)) {
      nodePorts.add(config.underlying().getInt(ARTERY_PORT));
    }
    EmbeddedCassandra cassandra = EmbeddedCassandra.start(
        EmbeddedCassandraSettings.fromConfig(config.underlying(), config.dataDir()), nodePorts);
    try {
      String version = cassandra.awaitReady();
      InetSocketAddress contact = cassandra.contactPoint();
      HostAndPort hostAndPort = new HostAndPort(contact.getHostString(), contact.getPort());
      log.atInfo().addKeyValue("event", "cassandra_ready").addKeyValue("version", version)
          .log("Embedded Cassandra {} ready on {}", version, hostAndPort);
      return new CassandraBackend(cassandra, List.of(hostAndPort));
    } catch (RuntimeException | Error e) {
      cassandra.stop();
      throw e;
    }
  }

  /** The configuration pointed at this Cassandra. */
  public AnnalConfig configure(AnnalConfig config) {
    return config.withCassandra(contactPoints);
  }

  /** The (first) contact point. */
  public HostAndPort contactPoint() {
    return contactPoints.get(0);
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  /** Stops the embedded Cassandra (if this started one); an external one is left alone. */
  @Override
  public void close() {
    if (embedded != null) {
      embedded.stop();
    }
  }
}
