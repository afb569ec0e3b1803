// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the two files the Cassandra JVM reads at start: {@code cassandra.yaml} (only the keys a
 * single dev node needs; everything else keeps Cassandra's defaults) and {@code logback.xml}.
 * Rewritten at every start, so ports picked at random and setting changes take effect.
 */
final class CassandraConfigFiles {
  static final String YAML = "cassandra.yaml";
  static final String LOGBACK = "logback.xml";

  private CassandraConfigFiles() {}

  /** The yaml for {@code layout}'s node, listening on the given ports. */
  static String yaml(
      CassandraLayout layout,
      EmbeddedCassandraSettings settings,
      int nativePort,
      int storagePort) {
    String address = settings.listenAddress();
    StringBuilder y = new StringBuilder();
    y.append("# Written by Annal's EmbeddedCassandra at every start; edits are overwritten.\n");
    y.append("cluster_name: 'annal'\n");
    // One token: a single dev node, and range scans do not fan out over 16 vnodes.
    y.append("num_tokens: 1\n");
    y.append("partitioner: org.apache.cassandra.dht.Murmur3Partitioner\n");
    y.append("data_file_directories:\n  - ").append(quote(layout.data())).append('\n');
    y.append("commitlog_directory: ").append(quote(layout.commitlog())).append('\n');
    y.append("saved_caches_directory: ").append(quote(layout.savedCaches())).append('\n');
    y.append("hints_directory: ").append(quote(layout.hints())).append('\n');
    y.append("cdc_raw_directory: ").append(quote(layout.cdcRaw())).append('\n');
    // Acknowledge a write only after its commit log fsync: an acknowledged event must survive
    // kill -9 (measured in stack-notes: periodic lost acknowledged writes, group and batch did not).
    y.append("commitlog_sync: ").append(settings.commitlogSync()).append('\n');
    if (settings.commitlogSync().equals("group")) {
      y.append("commitlog_sync_group_window: ")
          .append(Math.max(1, settings.commitlogSyncGroupWindow().toMillis()))
          .append("ms\n");
    }
    y.append("commitlog_segment_size: 32MiB\n");
    y.append("seed_provider:\n");
    y.append("  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n");
    y.append("    parameters:\n");
    y.append("      - seeds: \"").append(address).append(':').append(storagePort).append("\"\n");
    y.append("listen_address: ").append(address).append('\n');
    y.append("rpc_address: ").append(address).append('\n');
    y.append("storage_port: ").append(storagePort).append('\n');
    y.append("ssl_storage_port: ").append(storagePort + 1).append('\n');
    y.append("native_transport_port: ").append(nativePort).append('\n');
    y.append("start_native_transport: true\n");
    // SimpleSnitch names the data centre "datacenter1": clients use that as their local DC.
    y.append("endpoint_snitch: SimpleSnitch\n");
    y.append("authenticator: AllowAllAuthenticator\n");
    y.append("authorizer: AllowAllAuthorizer\n");
    // Few request threads: Cassandra's shared pool spins idle workers while it waits for work,
    // and with its defaults (32 writers, 128 native-transport threads) that spinning cost more CPU
    // than the writes on a 2-core machine (load-tests: 2.8 vs 4.6 ms per stored instance). One
    // embedded node serves one Annal node: four in flight at a time keeps it busy.
    y.append("concurrent_writes: 4\n");
    y.append("concurrent_reads: 4\n");
    y.append("concurrent_counter_writes: 2\n");
    y.append("concurrent_materialized_view_writes: 2\n");
    y.append("native_transport_max_threads: 4\n");
    return y.toString();
  }

  /** Logback for Cassandra: INFO to logs/system.log (rolled), WARN and above to stdout. */
  static String logback() {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- Written by Annal's EmbeddedCassandra at every start; edits are overwritten. -->
        <configuration scan="false">
          <appender name="SYSTEMLOG" class="ch.qos.logback.core.rolling.RollingFileAppender">
            <file>${cassandra.logdir}/system.log</file>
            <rollingPolicy class="ch.qos.logback.core.rolling.FixedWindowRollingPolicy">
              <fileNamePattern>${cassandra.logdir}/system.log.%i.zip</fileNamePattern>
              <minIndex>1</minIndex>
              <maxIndex>5</maxIndex>
            </rollingPolicy>
            <triggeringPolicy class="ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy">
              <maxFileSize>20MB</maxFileSize>
            </triggeringPolicy>
            <encoder>
              <pattern>%-5level [%thread] %date{ISO8601} %logger{0} - %msg%n</pattern>
            </encoder>
          </appender>
          <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
            <filter class="ch.qos.logback.classic.filter.ThresholdFilter">
              <level>WARN</level>
            </filter>
            <encoder>
              <pattern>%-5level [%thread] %date{ISO8601} %logger{0} - %msg%n</pattern>
            </encoder>
          </appender>
          <root level="INFO">
            <appender-ref ref="SYSTEMLOG"/>
            <appender-ref ref="STDOUT"/>
          </root>
        </configuration>
        """;
  }

  /** Writes both files into the layout's directory. */
  static void write(CassandraLayout layout, String yaml) throws IOException {
    Files.writeString(layout.yaml(), yaml, StandardCharsets.UTF_8);
    Files.writeString(layout.logback(), logback(), StandardCharsets.UTF_8);
  }

  // Single-quoted YAML scalar: no escapes except '' for a quote, so any path is safe.
  private static String quote(Path path) {
    return "'" + path.toString().replace("'", "''") + "'";
  }
}
