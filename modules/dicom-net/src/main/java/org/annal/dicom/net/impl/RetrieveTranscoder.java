// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetReader;
import org.annal.dicom.DatasetWriter;
import org.annal.dicom.Uid;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Transfer syntax of a retrieve sub-operation (PS3.4 C.4.2.3.1 / C.4.3.3.1: the SCP may convert
 * to a syntax the peer accepted): as stored when accepted; otherwise converted among Implicit VR
 * LE, Explicit VR LE and Explicit VR BE, Deflated inflated. Compressed pixel data is never decoded,
 * so a JPEG-stored instance for a peer accepting only uncompressed syntaxes cannot be sent.
 * Internal API.
 */
final class RetrieveTranscoder {
  private RetrieveTranscoder() {}

  /** Stored syntaxes whose data sets we can rewrite (no pixel decoding involved). */
  static final Set<String> CONVERTIBLE = Set.of(Uid.IMPLICIT_VR_LITTLE_ENDIAN,
      Uid.EXPLICIT_VR_LITTLE_ENDIAN, Uid.EXPLICIT_VR_BIG_ENDIAN,
      Uid.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN);

  /** What we convert to, preferred first. */
  static final List<String> TARGETS = List.of(Uid.EXPLICIT_VR_LITTLE_ENDIAN,
      Uid.IMPLICIT_VR_LITTLE_ENDIAN, Uid.EXPLICIT_VR_BIG_ENDIAN);

  /** The syntax to send an instance stored in {@code stored} in, or null if none can be made. */
  static String choose(String stored, Collection<String> accepted) {
    if (accepted.contains(stored)) {
      return stored;
    }
    if (!CONVERTIBLE.contains(stored)) {
      return null;
    }
    return TARGETS.stream().filter(accepted::contains).findFirst().orElse(null);
  }

  /** Reads the whole data set (at most {@code cap} bytes, else the stage fails), re-encodes it. */
  static CompletionStage<ByteString> convert(Source<ByteString, ?> stored, String from, String to,
      long cap, Materializer materializer) {
    return stored.limitWeighted(cap, b -> (long) b.size())
        .runWith(Sink.<ByteString, ByteString>fold(ByteString.emptyByteString(),
            (all, b) -> all.concat(b)), materializer)
        .thenApplyAsync(bytes -> {
          try {
            Dataset dataset = DatasetReader.read(bytes.toArray(), from);
            return ByteString.fromArrayUnsafe(DatasetWriter.encode(dataset, to));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }, materializer.executionContext());
  }
}
