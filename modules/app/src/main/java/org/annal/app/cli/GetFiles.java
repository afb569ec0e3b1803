// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.annal.dicom.FileMetaInformation;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.CStoreRq;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.Status;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Where {@code annal get} puts what the C-GET SCP sends (C-STORE sub-operations on our own
 * association, PS3.4 C.4.3): one PS3.10 file per instance in the output directory, File Meta
 * Information (PS3.10 §7.1) in front of the data set exactly as received.
 *
 * <p>The file name comes from the SOP Instance UID but is never taken as it is: anything but
 * letters, digits, '.', '-' and '_' becomes '_', it is cut to 64 characters and cannot start with
 * a dot, so a peer cannot name a path ({@code ../x}, {@code /etc/x}) or a hidden file. The same
 * UID again replaces its file; two UIDs that sanitize alike get {@code -2}, {@code -3}.
 * Each file is written to a temporary name and renamed when complete, so a file with the final
 * name is always whole.
 */
final class GetFiles implements CStoreHandler {
  private static final int MAX_NAME = 64;

  private final Path directory;
  private final Executor blocking;
  private final Consumer<String> notes;
  /** SOP Instance UID as received → the file name it was given. */
  private final Map<String, String> names = new ConcurrentHashMap<>();
  private final Map<String, String> taken = new ConcurrentHashMap<>();
  private final AtomicInteger written = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  GetFiles(Path directory, Executor blocking, Consumer<String> notes) {
    this.directory = directory;
    this.blocking = blocking;
    this.notes = notes;
  }

  int written() {
    return written.get();
  }

  int failed() {
    return failed.get();
  }

  long bytes() {
    return bytes.get();
  }

  /** A safe file name (without directory) for a SOP Instance UID; see the class comment. */
  static String fileName(String sopInstanceUid) {
    String s = sopInstanceUid == null ? "" : sopInstanceUid.strip();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < MAX_NAME; i++) {
      char c = s.charAt(i);
      boolean safe = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
          || c == '.' || c == '-' || c == '_';
      b.append(safe ? c : '_');
    }
    if (b.length() == 0) {
      b.append("instance");
    }
    if (b.charAt(0) == '.') {
      b.setCharAt(0, '_');
    }
    return b + ".dcm";
  }

  /** The name for this UID in this run: the same UID again gets the same name. */
  String claim(String sopInstanceUid) {
    String key = sopInstanceUid == null ? "" : sopInstanceUid;
    return names.computeIfAbsent(key, uid -> {
      String base = fileName(uid);
      String name = base;
      for (int n = 2; taken.putIfAbsent(name, uid) != null; n++) {
        name = base.substring(0, base.length() - ".dcm".length()) + "-" + n + ".dcm";
      }
      return name;
    });
  }

  @Override
  public Sink<ByteString, CompletionStage<DimseStatus>> onCStore(AssociationInfo association,
      CStoreRq request, String transferSyntaxUid) {
    String name = claim(request.affectedSopInstanceUid());
    Path target = directory.resolve(name);
    Path partial = directory.resolve("." + name + ".part");
    // The sender's AE title: the SCP we called (PS3.10 §7.1, Source Application Entity Title).
    byte[] header = FileMetaInformation.of(request.affectedSopClassUid(),
        request.affectedSopInstanceUid(), transferSyntaxUid, association.calledAeTitle()).encode();
    Sink<ByteString, CompletionStage<IOResult>> file = FileIO.toPath(partial);
    return Flow.<ByteString>create()
        .prepend(Source.single(ByteString.fromArrayUnsafe(header)))
        .toMat(file, Keep.right())
        .mapMaterializedValue(io -> io.thenApplyAsync(result -> {
          try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          written.incrementAndGet();
          bytes.addAndGet(result.count());
          return DimseStatus.SUCCESS;
        }, blocking).exceptionallyAsync(e -> {
          failed.incrementAndGet();
          try {
            Files.deleteIfExists(partial);
          } catch (IOException ignored) {
            // Reported below; a leftover .part file is harmless.
          }
          Throwable cause = e instanceof java.util.concurrent.CompletionException
              && e.getCause() != null ? e.getCause() : e;
          notes.accept("failed to write " + target + ": " + cause.getMessage());
          return DimseStatus.of(Status.OUT_OF_RESOURCES, "cannot write file");
        }, blocking));
  }
}
