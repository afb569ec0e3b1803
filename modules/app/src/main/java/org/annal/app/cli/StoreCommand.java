// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import org.annal.app.impl.DicomFiles;
import org.annal.app.impl.FileToSend;
import org.annal.app.impl.Progress;
import org.annal.app.impl.StoreTally;
import org.annal.app.impl.ToolSystem;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.ProposedContext;
import org.annal.dicom.net.ScuAssociation;
import org.annal.dicom.net.ScuSettings;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.FileIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code annal store}: C-STORE files to a Storage SCP (PS3.4 Annex B; PS3.7 §9.1.1).
 *
 * <p>Each file's data set is sent as it is in the file, in the transfer syntax its meta
 * information names: one presentation context per (SOP class, transfer syntax) pair, so that
 * nothing needs converting (at most 128 contexts per association, PS3.8 §9.3.2.2; more pairs are
 * sent in successive rounds). {@code --associations N} workers share one queue of files, each on
 * its own association, one C-STORE at a time.
 */
@Command(name = "store", mixinStandardHelpOptions = true,
    description = {"Send DICOM files (directories recursively) with C-STORE.",
        "Non-DICOM files are skipped with a note. Exit 1 if any C-STORE failed."})
public final class StoreCommand implements Callable<Integer> {
  private static final int MAX_CONTEXTS = 128;
  private static final int READ_CHUNK = 64 * 1024;

  @Spec CommandSpec spec;
  @Mixin DicomPeerOptions peer;

  @Option(names = "--associations", paramLabel = "N", defaultValue = "1",
      description = "Parallel associations (default: ${DEFAULT-VALUE}).")
  int associations;

  /** Set once the files are known; notes go through it so that the bar does not overwrite them. */
  private volatile Progress progress;

  @Parameters(paramLabel = "FILE_OR_DIR", arity = "1..*", description = "Files or directories to send.")
  List<Path> paths;

  @Override
  public Integer call() throws Exception {
    peer.validate(spec.commandLine());
    if (associations < 1 || associations > 64) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '--associations': " + associations + " is not in 1-64");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    DicomFiles.Found found = DicomFiles.scan(paths, err);
    StoreTally tally = new StoreTally();
    List<FileToSend> files = new ArrayList<>();
    for (Path path : found.files()) {
      try {
        files.add(FileToSend.read(path));
      } catch (java.io.IOException | RuntimeException e) {
        err.println("failed " + path + ": unreadable File Meta Information: " + e.getMessage());
        tally.failed();
      }
    }
    if (files.isEmpty() && tally.failures() == 0) {
      err.println("annal store: no DICOM files to send");
      return 1;
    }

    long totalBytes = files.stream().mapToLong(FileToSend::size).sum();
    progress = new Progress(err, Progress.stderrIsTerminal(), files.size(), totalBytes,
        System::nanoTime);
    long start = System.nanoTime();
    try (ToolSystem tool = new ToolSystem("annal-store")) {
      for (List<FileToSend> round : rounds(files)) {
        sendRound(tool.system(), tool.scuSettings(), round, tally, progress, err);
      }
    } finally {
      progress.finish();
    }
    out.println(tally.summary(System.nanoTime() - start));
    out.flush();
    return tally.failures() == 0 ? 0 : 1;
  }

  /** Files grouped so that no group needs more than 128 presentation contexts. */
  static List<List<FileToSend>> rounds(List<FileToSend> files) {
    Map<List<String>, List<FileToSend>> byContext = new LinkedHashMap<>();
    for (FileToSend f : files) {
      byContext.computeIfAbsent(List.of(f.sopClassUid(), f.transferSyntaxUid()),
          k -> new ArrayList<>()).add(f);
    }
    List<List<FileToSend>> rounds = new ArrayList<>();
    List<FileToSend> current = new ArrayList<>();
    int contexts = 0;
    for (List<FileToSend> group : byContext.values()) {
      if (contexts == MAX_CONTEXTS) {
        rounds.add(current);
        current = new ArrayList<>();
        contexts = 0;
      }
      current.addAll(group);
      contexts++;
    }
    if (!current.isEmpty()) {
      rounds.add(current);
    }
    return rounds;
  }

  static List<ProposedContext> contextsOf(List<FileToSend> files) {
    Set<List<String>> pairs = new LinkedHashSet<>();
    for (FileToSend f : files) {
      pairs.add(List.of(f.sopClassUid(), f.transferSyntaxUid()));
    }
    return pairs.stream().map(p -> ProposedContext.of(p.get(0), p.get(1))).toList();
  }

  private void sendRound(ActorSystem<?> system, ScuSettings settings, List<FileToSend> round,
      StoreTally tally, Progress progress, PrintWriter err) throws InterruptedException {
    List<ProposedContext> contexts = contextsOf(round);
    ConcurrentLinkedQueue<FileToSend> queue = new ConcurrentLinkedQueue<>(round);
    int workers = Math.min(associations, round.size());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(() -> worker(system, settings, contexts, queue, tally, progress, err),
          "store-" + i);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    // Files no worker could send (every association failed to open).
    for (FileToSend left; (left = queue.poll()) != null; ) {
      note(err, "failed " + left.path() + ": not sent (no association)");
      tally.failed();
      progress.fileDone(left.size());
    }
  }

  /**
   * One association: C-STORE files from the queue until it is empty. If the association breaks,
   * the file in flight counts as failed and a new association is opened for the next one; if that
   * cannot be opened either, the worker stops and leaves the queue to the others.
   */
  private void worker(ActorSystem<?> system, ScuSettings settings, List<ProposedContext> contexts,
      ConcurrentLinkedQueue<FileToSend> queue, StoreTally tally, Progress progress,
      PrintWriter err) {
    ScuAssociation association = null;
    try {
      for (FileToSend file; (file = queue.peek()) != null; ) {
        if (association == null) {
          try {
            association = ScuAssociation.open(system, settings, peer.host, peer.port,
                peer.callingAeTitle, peer.calledAeTitle, contexts).toCompletableFuture().get();
          } catch (ExecutionException e) {
            note(err, "association to " + peer.calledAeTitle + "@" + peer.host + ":" + peer.port
                + " failed: " + RunCommand.oneLine(e));
            return;
          }
        }
        if ((file = queue.poll()) == null) {
          break;
        }
        try {
          DimseStatus status = association.cStore(file.sopClassUid(), file.sopInstanceUid(),
              file.transferSyntaxUid(),
              FileIO.fromPath(file.path(), READ_CHUNK, file.datasetOffset()))
              .toCompletableFuture().get();
          tally.record(status, file.size());
          if (!status.isSuccess()) {
            note(err, (status.isWarning() ? "warning " : "failed ") + file.path() + ": status "
                + String.format("%04X", status.code())
                + (status.errorComment() == null ? "" : " " + status.errorComment()));
          }
        } catch (ExecutionException e) {
          tally.failed();
          note(err, "failed " + file.path() + ": " + RunCommand.oneLine(e));
          if (!(e.getCause() instanceof IllegalArgumentException)) {
            // The association is gone (abort, timeout, connection lost): start a new one.
            association.abort();
            association = null;
          }
        }
        progress.fileDone(file.size());
      }
      if (association != null) {
        association.release().toCompletableFuture().get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      note(err, "A-RELEASE failed: " + RunCommand.oneLine(e));
    }
  }

  private void note(PrintWriter err, String message) {
    if (progress != null) {
      progress.note(message);
    } else {
      err.println(message);
      err.flush();
    }
  }
}
