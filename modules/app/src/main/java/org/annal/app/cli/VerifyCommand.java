// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.annal.app.config.AnnalConfig;
import org.annal.app.impl.CassandraBackend;
import org.annal.app.impl.JournalWarmup;
import org.annal.app.impl.LogFiles;
import org.annal.archive.ArchiveSettings;
import org.annal.archive.StudyJournal;
import org.annal.archive.StudyVerifier;
import org.annal.storage.FileSystemBlobStore;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code annal verify}: re-reads every blob this node holds and checks its size and SHA-256
 * against the journal ({@link StudyVerifier}); also each study's event hash chain.
 *
 * <p>Runs with the node stopped: it takes the data dir's lock, so it refuses (exit 1) while a
 * node runs on that data dir, rather than start a second embedded Cassandra on the same files or
 * race the node's writes. It starts the embedded Cassandra itself (or uses {@code --cassandra})
 * and a minimal local ActorSystem with persistence query only: no cluster, DICOM or HTTP.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check every stored blob (size, SHA-256) against the journal.",
        "Run it with the node stopped; exits 1 on any mismatch or missing blob."})
public final class VerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin NodeDataOptions data;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LogFiles.defaultLevel("WARN");
    // Its problems are printed below, one line each; the logger would repeat them.
    LogFiles.level("org.annal.archive.StudyVerifier", "ERROR");
    try (StoppedNode node = StoppedNode.open(data, "verify")) {
      out.println("Verifying " + node.dataDir() + " (node " + node.config().nodeId() + ") ...");
      out.flush();
      try (CassandraBackend backend = CassandraBackend.open(node.config())) {
        return verify(node.localSystemConfig(backend), out);
      }
    }
  }

  private static int verify(AnnalConfig config, PrintWriter out) throws Exception {
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "annal-verify", config.underlying());
    try {
      JournalWarmup.run(system, config.duration("annal.startup.journal-timeout"))
          .toCompletableFuture().get();
      ArchiveSettings settings = ArchiveSettings.create(system);
      long start = System.nanoTime();
      StudyVerifier.Report report = new StudyVerifier(system,
          StudyJournal.create(system, settings.readJournalPluginId()),
          FileSystemBlobStore.open(system), settings).verify().toCompletableFuture().get();
      double seconds = (System.nanoTime() - start) / 1e9;
      print(report, seconds, out);
      return report.summary().clean() ? 0 : 1;
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get();
    }
  }

  static void print(StudyVerifier.Report report, double seconds, PrintWriter out) {
    int listed = 0;
    for (StudyVerifier.Problem p : report.problems()) {
      if (listed++ == 100) {
        out.println("... (" + (report.problems().size() - 100) + " more problems listed in the log)");
        break;
      }
      out.println(p.kind() + " study=" + p.studyInstanceUid()
          + (p.sopInstanceUid() == null ? "" : " instance=" + p.sopInstanceUid())
          + (p.blobKey() == null ? "" : " blob=" + p.blobKey()) + ": " + p.detail());
    }
    StudyVerifier.Summary s = report.summary();
    out.println(String.format(Locale.ROOT,
        "studies %d, instances %d, bytes %d (%.1f MB), ok %d, mismatched %d, missing %d, "
            + "unreadable %d, broken hash chains %d, on other nodes %d, %.1f s",
        s.studies(), s.instances(), s.bytes(), s.bytes() / 1e6, s.ok(), s.mismatched(),
        s.missing(), s.unreadable(), s.brokenChains(), s.placementsOnOtherNodes(), seconds));
    out.println(s.clean() ? "verify: OK" : "verify: FAILED");
    out.flush();
  }
}
