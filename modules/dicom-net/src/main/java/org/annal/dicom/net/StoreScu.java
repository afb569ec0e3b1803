// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetReader;
import org.annal.dicom.DicomException;
import org.annal.dicom.FileMetaInformation;
import org.annal.dicom.Part10;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.stream.javadsl.FileIO;

/**
 * Storage SCU and Verification SCU over files (PS3.4 Annex B and A; what {@code annal store} and
 * {@code annal echo} run). Files are sent byte for byte in the transfer syntax they are in: one
 * presentation context per (SOP class, transfer syntax) found, no transcoding. A file whose data
 * set the peer did not accept in that syntax fails alone, the others still go.
 */
public final class StoreScu {
  private StoreScu() {}

  /**
   * A file to send: its SOP class, instance and transfer syntax, and where its data set starts
   * (after the PS3.10 meta information; 0 for a bare data set).
   */
  public record Instance(Path file, String sopClassUid, String sopInstanceUid,
      String transferSyntaxUid, long dataSetOffset) {}

  /** What happened to one file: the peer's status, or why it was not sent. */
  public record Outcome(Path file, DimseStatus status, Throwable failure) {
    public boolean isSuccess() {
      return failure == null && status != null && status.isSuccess();
    }
  }

  /**
   * Reads a file's meta information (or, for a bare data set, guesses its syntax and reads up to
   * Pixel Data) to learn what to propose.
   */
  public static Instance inspect(Path file) throws IOException {
    try (CountingInputStream in = new CountingInputStream(
        new BufferedInputStream(Files.newInputStream(file), 64 * 1024))) {
      FileMetaInformation meta = Part10.readFileMetaInformation(in);
      if (meta != null) {
        return new Instance(file, meta.mediaStorageSopClassUid(), meta.mediaStorageSopInstanceUid(),
            meta.transferSyntaxUid(), in.position);
      }
      String transferSyntax = Part10.guessTransferSyntax(in);
      Dataset dataset = DatasetReader.readUntilPixelData(in, transferSyntax);
      String sopClass = dataset.getString(Tag.SOPClassUID);
      String sopInstance = dataset.getString(Tag.SOPInstanceUID);
      if (sopClass == null || sopInstance == null) {
        throw new DicomException(file + ": no SOP Class/Instance UID, cannot be stored");
      }
      return new Instance(file, sopClass, sopInstance, transferSyntax, 0);
    }
  }

  /** One context per distinct (SOP class, transfer syntax), at most 128 (PS3.8 §9.3.2.2). */
  public static List<ProposedContext> contextsFor(List<Instance> instances) {
    Set<List<String>> pairs = new LinkedHashSet<>();
    for (Instance instance : instances) {
      pairs.add(List.of(instance.sopClassUid(), instance.transferSyntaxUid()));
    }
    if (pairs.size() > 128) {
      throw new IllegalArgumentException(pairs.size()
          + " (SOP class, transfer syntax) pairs: more than the 128 presentation contexts an"
          + " association can carry; send in batches");
    }
    return pairs.stream().map(p -> ProposedContext.of(p.get(0), p.get(1))).toList();
  }

  /** C-ECHO on a fresh association, then release. */
  public static CompletionStage<DimseStatus> echo(ClassicActorSystemProvider system,
      ScuSettings settings, String host, int port, String callingAeTitle, String calledAeTitle) {
    return ScuAssociation.open(system, settings, host, port, callingAeTitle, calledAeTitle,
            List.of(ProposedContext.of(Uid.VERIFICATION, Uid.IMPLICIT_VR_LITTLE_ENDIAN)))
        .thenCompose(association -> association.cEcho()
            .thenCompose(status -> association.release().thenApply(done -> status))
            .whenComplete((status, failure) -> {
              if (failure != null) {
                association.abort();
              }
            }));
  }

  /**
   * Sends {@code instances} on one association, one after another, then releases it. The stage
   * fails only if the association cannot be opened (or is lost: the remaining files then carry
   * that failure); per-file results are in the outcomes.
   */
  public static CompletionStage<List<Outcome>> store(ClassicActorSystemProvider system,
      ScuSettings settings, String host, int port, String callingAeTitle, String calledAeTitle,
      List<Instance> instances) {
    return ScuAssociation.open(system, settings, host, port, callingAeTitle, calledAeTitle,
            contextsFor(instances))
        .thenCompose(association -> {
          List<Outcome> outcomes = new ArrayList<>();
          CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
          for (Instance instance : instances) {
            chain = chain.thenCompose(x -> storeOne(association, instance)
                .handle((status, failure) -> {
                  outcomes.add(new Outcome(instance.file(), status, failure));
                  return null;
                }));
          }
          return chain
              .thenCompose(x -> association.release().handle((done, failure) -> outcomes))
              .thenApply(List::copyOf);
        });
  }

  private static CompletionStage<DimseStatus> storeOne(ScuAssociation association,
      Instance instance) {
    return association.cStore(instance.sopClassUid(), instance.sopInstanceUid(),
        instance.transferSyntaxUid(),
        FileIO.fromPath(instance.file(), 64 * 1024, instance.dataSetOffset()));
  }

  /** Counts bytes consumed, honouring mark/reset, so the data set offset is known exactly. */
  private static final class CountingInputStream extends FilterInputStream {
    long position;
    private long markPosition;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        position++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        position += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      position += skipped;
      return skipped;
    }

    @Override
    public void mark(int readLimit) {
      super.mark(readLimit);
      markPosition = position;
    }

    @Override
    public void reset() throws IOException {
      super.reset();
      position = markPosition;
    }
  }
}
