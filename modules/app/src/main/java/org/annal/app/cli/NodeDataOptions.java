// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.nio.file.Path;
import org.annal.app.config.AnnalConfig;
import org.annal.app.config.HostAndPort;
import picocli.CommandLine.Option;

/** Which node's data a command works on: its data dir, its Cassandra, and a config file. */
public final class NodeDataOptions {
  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Data directory (default: ./annal-data, config annal.data-dir).")
  Path dataDir;

  @Option(names = "--cassandra", paramLabel = "HOST:PORT", converter = HostAndPortConverter.class,
      description = "External Cassandra; default: the embedded one under DATA_DIR/cassandra.")
  HostAndPort cassandra;

  @Option(names = "--config", paramLabel = "FILE.conf",
      description = "HOCON file layered over the defaults (flags still win).")
  Path configFile;

  /** The configuration: defaults, then the config file, then these flags and {@code more}. */
  AnnalConfig load(AnnalConfig.Overrides more) {
    return AnnalConfig.load(configFile, more
        .put("annal.data-dir", dataDir)
        .put("annal.cassandra.external", cassandra == null ? null : cassandra.toString()));
  }
}
