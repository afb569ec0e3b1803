// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.annal.app.config.AnnalConfig;
import org.annal.app.impl.CassandraBackend;
import org.annal.app.impl.DataDirLock;
import org.annal.app.impl.LogFiles;
import org.annal.app.impl.Signals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code annal cassandra}: only the embedded Cassandra of a data dir, in the foreground until
 * Ctrl-C/SIGTERM. Several nodes on one machine share it ({@code annal run --cassandra
 * 127.0.0.1:PORT}), as {@code cluster-config/local-cluster.sh} and the cluster tests do. Not for
 * production, where Cassandra is its own cluster (cluster-config/production/annal-schema.cql).
 */
@Command(name = "cassandra", mixinStandardHelpOptions = true,
    description = {"Run the embedded Cassandra of a data dir alone, in the foreground.",
        "For several nodes on one machine: start them with --cassandra 127.0.0.1:PORT."})
public final class CassandraCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Data directory; Cassandra lives in DIR/cassandra (default: ./annal-data).")
  Path dataDir;

  @Option(names = "--config", paramLabel = "FILE.conf",
      description = "HOCON file layered over the defaults (annal.cassandra.embedded.*).")
  Path configFile;

  @Option(names = "--port", paramLabel = "PORT",
      description = "CQL native port (default 9042; config annal.cassandra.embedded.native-port).")
  Integer port;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    AnnalConfig config = AnnalConfig.load(configFile, new AnnalConfig.Overrides()
        .put("annal.data-dir", dataDir)
        .put("annal.cassandra.embedded.native-port", port));
    try (DataDirLock lock = DataDirLock.acquire(config.dataDir(), "cassandra")) {
      LogFiles.attach(config.logDir());
      CountDownLatch stop = new CountDownLatch(1);
      try (CassandraBackend cassandra = CassandraBackend.open(config)) {
        Signals.onTermination(stop::countDown);
        out.println("Cassandra ready at " + cassandra.contactPoint()
            + " (data " + config.cassandraDir() + "); Ctrl-C stops it");
        out.flush();
        stop.await();
        out.println("Stopping Cassandra ...");
        out.flush();
      }
      out.println("Cassandra stopped");
      return 0;
    }
  }
}
