// SPDX-License-Identifier: Apache-2.0
package org.annal.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's configuration, layered from highest to lowest precedence:
 *
 * <ol>
 *   <li>command-line flags ({@link Overrides}), parsed with {@code ConfigFactory.parseMap};
 *   <li>JVM system properties ({@code -Dannal.http.port=...});
 *   <li>the {@code --config FILE.conf} application config, if given;
 *   <li>every {@code reference.conf} on the class path (this module's and the others').
 * </ol>
 *
 * Substitutions ({@code ${annal.data-dir}}) are resolved once, after layering, so that a value set
 * in a higher layer reaches the keys derived from it in a lower one.
 */
public final class AnnalConfig {

  private final Config config;

  private AnnalConfig(Config config) {
    this.config = config;
  }

  /** Layers and resolves; {@code configFile} may be null. */
  public static AnnalConfig load(Path configFile, Overrides overrides) {
    return load(configFile, overrides, ConfigFactory.defaultReferenceUnresolved());
  }

  /** As {@link #load(Path, Overrides)} over a given (unresolved) reference layer; for tests. */
  public static AnnalConfig load(Path configFile, Overrides overrides, Config reference) {
    Config file = ConfigFactory.empty();
    if (configFile != null) {
      if (!Files.isReadable(configFile)) {
        throw new IllegalArgumentException("config file not readable: " + configFile);
      }
      file = ConfigFactory.parseFile(configFile.toFile(),
          ConfigParseOptions.defaults().setAllowMissing(false));
    }
    Config layered = ConfigFactory.parseMap(overrides.asMap(), "command line")
        .withFallback(ConfigFactory.systemProperties())
        .withFallback(file)
        .withFallback(reference)
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(true));
    return new AnnalConfig(layered).withDerivedPaths();
  }

  /**
   * Values other modules read from their own keys, derived from this node's: unless set explicitly,
   * {@code annal.storage.root = DATA_DIR/storage}, {@code annal.query.index-dir = DATA_DIR/index} and
   * {@code annal.cassandra.embedded.directory = DATA_DIR/cassandra}; always
   * {@code annal.archive.node-id/site} from {@code annal.node-id/site}, so that one key names the
   * node everywhere.
   */
  private AnnalConfig withDerivedPaths() {
    Map<String, Object> derived = new LinkedHashMap<>();
    if (isBlank("annal.storage.root")) {
      derived.put("annal.storage.root", storageDir().toString());
    }
    if (isBlank("annal.query.index-dir")) {
      derived.put("annal.query.index-dir", dataDir().resolve("index").toString());
    }
    if (isBlank("annal.cassandra.embedded.directory")) {
      derived.put("annal.cassandra.embedded.directory", cassandraDir().toString());
    }
    if (config.hasPath("annal.dicom.drain-timeout")) {
      // The DICOM drain runs in this phase: give it its deadline plus room to close the rest.
      derived.put("pekko.coordinated-shutdown.phases.service-requests-done.timeout",
          config.getDuration("annal.dicom.drain-timeout").plusSeconds(10).toMillis() + "ms");
    }
    derived.put("annal.archive.node-id", nodeId());
    derived.put("annal.archive.site", site());
    return with(derived);
  }

  private boolean isBlank(String path) {
    return !config.hasPath(path) || config.getString(path).isBlank();
  }

  /** The whole resolved configuration, for the ActorSystem. */
  public Config underlying() {
    return config;
  }

  public Path dataDir() {
    return Path.of(config.getString("annal.data-dir")).toAbsolutePath().normalize();
  }

  public Path storageDir() {
    return dataDir().resolve("storage");
  }

  public Path queryIndexDir() {
    return Path.of(config.getString("annal.query.index-dir")).toAbsolutePath().normalize();
  }

  public Path cassandraDir() {
    return dataDir().resolve("cassandra");
  }

  public Path logDir() {
    return dataDir().resolve("logs");
  }

  /** The configured node id, or {@link #defaultNodeId()} when it is empty. */
  public String nodeId() {
    String id = configuredNodeId();
    return id.isBlank() ? defaultNodeId() : id;
  }

  /**
   * The id a node gets when none is configured (and its data dir remembers none): the host name,
   * with the cluster port appended when that is not the default 25520, so that several nodes on
   * one host (cluster-config/local-cluster.sh, the tests) do not all call themselves the same.
   */
  public String defaultNodeId() {
    int port = clusterPort();
    return port == 25520 ? hostName() : hostName() + "-" + port;
  }

  /**
   * Base URL other nodes reach this node's HTTP port at ({@code annal.cluster.internal-host}, else
   * the cluster's canonical host name), for the node-to-node endpoint.
   */
  public String internalUrl() {
    String host = config.getString("annal.cluster.internal-host");
    if (host.isBlank()) {
      host = config.getString("pekko.remote.artery.canonical.hostname");
    }
    if (host.equals("<getHostAddress>") || host.equals("<getHostName>")) {
      // Pekko's placeholders for the local address: resolve them the way Artery does.
      try {
        InetAddress local = InetAddress.getLocalHost();
        host = host.equals("<getHostAddress>") ? local.getHostAddress() : local.getHostName();
      } catch (UnknownHostException e) {
        host = "127.0.0.1";
      }
    }
    boolean ipv6 = host.contains(":") && !host.startsWith("[");
    return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + httpPort();
  }

  /** {@code annal.node-id} as configured (empty when not set). */
  public String configuredNodeId() {
    return config.getString("annal.node-id");
  }

  public static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** This configuration with the node id fixed (e.g. the one the data dir remembers). */
  public AnnalConfig withNodeId(String nodeId) {
    return with(Map.of("annal.node-id", nodeId, "annal.archive.node-id", nodeId));
  }

  public String site() {
    return config.getString("annal.site");
  }

  public String httpHost() {
    return config.getString("annal.http.host");
  }

  public int httpPort() {
    return config.getInt("annal.http.port");
  }

  public int dicomPort() {
    return config.getInt("annal.dicom.port");
  }

  public String aeTitle() {
    return config.getString("annal.dicom.ae-title");
  }

  public int clusterPort() {
    return config.getInt("pekko.remote.artery.canonical.port");
  }

  /** The (first) external Cassandra node, or null when the embedded one is to be started. */
  public HostAndPort externalCassandra() {
    List<HostAndPort> all = externalCassandraNodes();
    return all.isEmpty() ? null : all.get(0);
  }

  /**
   * Every external Cassandra node of {@code annal.cassandra.external} ("h1:9042,h2:9042"): the
   * driver's contact points, so that a node starts while any one of them is up. Empty: embedded.
   */
  public List<HostAndPort> externalCassandraNodes() {
    String value = config.getString("annal.cassandra.external");
    List<HostAndPort> nodes = new java.util.ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        nodes.add(HostAndPort.parse(part.strip()));
      }
    }
    return nodes;
  }

  public Duration duration(String path) {
    return config.getDuration(path);
  }

  /**
   * This configuration with the driver's contact points replaced by {@code cassandra}: known only
   * once the embedded node has started, or from {@code --cassandra}.
   */
  public AnnalConfig withCassandra(HostAndPort cassandra) {
    return withCassandra(List.of(cassandra));
  }

  /** As {@link #withCassandra(HostAndPort)} with several contact points. */
  public AnnalConfig withCassandra(List<HostAndPort> cassandra) {
    Config contact = ConfigFactory.parseMap(Map.of(
        "datastax-java-driver.basic.contact-points",
        cassandra.stream().map(HostAndPort::toString).toList()));
    return new AnnalConfig(contact.withFallback(config));
  }

  /** This configuration with extra values on top (already-typed keys), e.g. the local provider. */
  public AnnalConfig with(Map<String, ?> values) {
    return new AnnalConfig(ConfigFactory.parseMap(values).withFallback(config));
  }

  /** Command-line values, only those the user actually gave (null means "not given"). */
  public static final class Overrides {
    private final Map<String, Object> values = new LinkedHashMap<>();

    public Overrides put(String path, Object value) {
      if (value != null) {
        values.put(path, value instanceof Path p ? p.toString() : value);
      }
      return this;
    }

    public Map<String, Object> asMap() {
      return Map.copyOf(values);
    }
  }
}
