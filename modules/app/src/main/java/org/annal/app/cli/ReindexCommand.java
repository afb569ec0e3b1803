// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.annal.app.config.AnnalConfig;
import org.annal.app.impl.CassandraBackend;
import org.annal.app.impl.LogFiles;
import org.annal.query.QueryIndex;
import org.annal.query.StudyIndexProjection;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code annal reindex}: deletes this node's query index ({@code annal.query.index-dir}) and the
 * offsets of its projections in Cassandra ({@link StudyIndexProjection#reindex}), so that the next
 * {@code annal run} rebuilds the index from the whole journal. The index is a pure function of the
 * events, so nothing is lost: C-FIND answers are the same once the rebuild has caught up.
 *
 * <p>Runs with the node stopped, as {@code annal verify} does: it takes the data dir's lock
 * (refusing while a node runs there), starts the embedded Cassandra (or uses {@code --cassandra})
 * and a minimal local ActorSystem: no cluster, DICOM or HTTP.
 */
@Command(name = "reindex", mixinStandardHelpOptions = true,
    description = {"Delete this node's query index and its projection offsets;",
        "the next 'annal run' rebuilds the index from the journal. Run it with the node stopped."})
public final class ReindexCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin NodeDataOptions data;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LogFiles.defaultLevel("WARN");
    try (StoppedNode node = StoppedNode.open(data, "reindex")) {
      AnnalConfig config = node.config();
      Path indexDir = config.queryIndexDir();
      String generation = Files.isDirectory(indexDir) ? QueryIndex.generationAt(indexDir) : null;
      long[] size = sizeOf(indexDir);
      out.println("Reindexing node " + config.nodeId() + " (data dir " + node.dataDir() + ") ...");
      out.flush();
      try (CassandraBackend backend = CassandraBackend.open(config)) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "annal-reindex",
            node.localSystemConfig(backend).underlying());
        try {
          // A node that stopped before its projections started has no offset table yet; the
          // node creates it the same way at start.
          CassandraProjection.createTablesIfNotExists(system).toCompletableFuture()
              .get(2, TimeUnit.MINUTES);
          StudyIndexProjection.reindex(system, indexDir, config.nodeId())
              .toCompletableFuture().get(2, TimeUnit.MINUTES);
        } finally {
          system.terminate();
          system.getWhenTerminated().toCompletableFuture().get();
        }
      }
      print(out, indexDir, generation, size, config.nodeId());
      return 0;
    }
  }

  static void print(PrintWriter out, Path indexDir, String generation, long[] size,
      String nodeId) {
    if (size[0] == 0 && generation == null) {
      out.println("no query index at " + indexDir + ": nothing to delete");
    } else {
      out.println(String.format(Locale.ROOT, "deleted query index %s (%d files, %s%s)",
          indexDir, size[0], RetrieveSummary.size(size[1]),
          generation == null ? "" : ", generation " + generation));
    }
    if (generation != null) {
      out.println("cleared the offsets of its projections (" + StudyIndexProjection
          .projectionId(nodeId, generation, "*").name() + ", one per tag)");
    }
    out.println("the next 'annal run' rebuilds the index from the journal; C-FIND answers are "
        + "incomplete until it has caught up");
    out.flush();
  }

  /** Files and bytes under {@code dir}; zeros if it does not exist. */
  static long[] sizeOf(Path dir) {
    long[] size = new long[2];
    if (!Files.isDirectory(dir)) {
      return size;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.filter(Files::isRegularFile).forEach(p -> {
        size[0]++;
        try {
          size[1] += Files.size(p);
        } catch (IOException e) {
          // Gone meanwhile: not counted.
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return size;
  }
}
