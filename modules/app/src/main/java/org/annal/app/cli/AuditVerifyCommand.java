// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.annal.app.config.AnnalConfig;
import org.annal.app.impl.CassandraBackend;
import org.annal.app.impl.JournalChainReader;
import org.annal.app.impl.LogFiles;
import org.annal.app.impl.Progress;
import org.annal.archive.Study;
import org.annal.archive.StudyChainAudit;
import org.annal.archive.StudyChainAudit.Checkpoint;
import org.annal.http.UidSyntax;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code annal audit verify [STUDY_UID | --all]}: re-reads studies' journal rows from Cassandra
 * ({@link JournalChainReader}), recomputes each study's hash chain and compares its end with the
 * checkpointed chain head ({@link StudyChainAudit}); reports edited, deleted, reordered and
 * truncated events per study. Exit 0 when nothing was tampered with (a study without a checkpoint
 * is a warning), 1 otherwise.
 *
 * <p>Like {@code annal verify} it runs with the node stopped (it takes the data dir's lock) and
 * starts the data dir's embedded Cassandra itself unless {@code --cassandra} names one; its own
 * ActorSystem is local, with no cluster, DICOM or HTTP. Read-only: it creates no table.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check the hash chain of one study or of every study in the journal, and its "
        + "end against the checkpointed chain head: reports edited, deleted, reordered and "
        + "truncated events.",
        "Run it with the node stopped; exits 1 if any study was tampered with."})
public final class AuditVerifyCommand implements Callable<Integer> {
  /** Studies read at once. */
  private static final int PARALLELISM = 4;

  @Spec CommandSpec spec;

  @Mixin NodeDataOptions data;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Which which;

  /** One study, or all of them. */
  static final class Which {
    @Parameters(paramLabel = "STUDY_UID", description = "Study Instance UID of the study to check")
    String studyUid;

    @Option(names = "--all", required = true, description = "Check every study in the journal")
    boolean all;
  }

  @Option(names = "--json", description = "Print the result as JSON (every study checked)")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (which.studyUid != null && !UidSyntax.isValid(which.studyUid)) {
      throw new ParameterException(spec.commandLine(),
          "not a UID (digits and dots, at most 64 characters): " + which.studyUid);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LogFiles.defaultLevel("WARN");
    try (StoppedNode node = StoppedNode.open(data, "audit verify")) {
      err.println("Auditing the journal of " + node.dataDir() + " ...");
      err.flush();
      try (CassandraBackend backend = CassandraBackend.open(node.config())) {
        return audit(node.localSystemConfig(backend), out, err);
      }
    }
  }

  private int audit(AnnalConfig config, PrintWriter out, PrintWriter err) throws Exception {
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "annal-audit", config.underlying());
    try {
      JournalChainReader reader = new JournalChainReader(system, config.underlying());
      long start = System.nanoTime();
      Map<String, Checkpoint> checkpoints;
      SortedSet<String> studies = new TreeSet<>();
      boolean haveTable;
      if (which.all) {
        Optional<Map<String, Checkpoint>> all = get(reader.checkpoints());
        haveTable = all.isPresent();
        checkpoints = all.orElse(Map.of());
        studies.addAll(get(reader.studiesInJournal()));
        studies.addAll(checkpoints.keySet());
      } else {
        String pid = Study.persistenceId(which.studyUid).id();
        Optional<Optional<Checkpoint>> one = get(reader.checkpoint(pid));
        haveTable = one.isPresent();
        checkpoints = one.flatMap(c -> c).map(c -> Map.of(pid, c)).orElse(Map.of());
        studies.add(pid);
      }
      if (!haveTable) {
        err.println("annal: warning: no checkpoint table " + reader.checkpointTable()
            + " (annal.audit.chain-heads off?): events cut off at the end cannot be detected");
      }
      AuditVerifyOutput output = json
          ? AuditVerifyOutput.json(out, reader.messagesTable(), reader.checkpointTable())
          : AuditVerifyOutput.text(out, reader.messagesTable(), reader.checkpointTable(),
              !which.all);
      if (which.all) {
        StudyProgress progress =
            new StudyProgress(err, Progress.stderrIsTerminal(), studies.size());
        Source.from(studies)
            .mapAsync(PARALLELISM, pid -> {
              Optional<Checkpoint> checkpoint = Optional.ofNullable(checkpoints.get(pid));
              return reader.rows(pid, checkpoint)
                  .thenApply(rows -> StudyChainAudit.audit(pid, rows, checkpoint));
            })
            .runWith(Sink.foreach(result -> {
              output.study(result);
              progress.studyDone(output.tally().tampered());
            }), system)
            .toCompletableFuture().get();
        progress.finish();
      } else {
        String pid = studies.first();
        Optional<Checkpoint> checkpoint = Optional.ofNullable(checkpoints.get(pid));
        List<StudyChainAudit.Row> rows = get(reader.rows(pid, checkpoint));
        if (rows.isEmpty() && checkpoint.isEmpty()) {
          err.println("annal: no study " + which.studyUid + " in " + reader.messagesTable());
          return 1;
        }
        output.study(StudyChainAudit.audit(pid, rows, checkpoint));
      }
      AuditVerifyOutput.Tally tally = output.tally();
      output.finish((System.nanoTime() - start) / 1e9);
      return tally.tampered() == 0 ? 0 : 1;
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.MINUTES);
  }
}
