// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Cuts a data set byte stream into P-DATA-TF PDUs with one data set PDV each (PS3.8 §9.3.5, Annex
 * E), shared by the SCU's C-STORE and the C-GET SCP's sub-operations. Internal API.
 */
public final class DataSetFragments {
  private DataSetFragments() {}

  /**
   * A streamed data set's PDUs are handed to the connection in groups of about this many bytes:
   * one asynchronous hand-off per group rather than per PDU (a 16 KB Maximum Length makes 32 PDUs
   * of a 512 KB image).
   */
  public static final long BATCH_BYTES = 256 * 1024;

  /**
   * PDVs of at most {@code maxValueLength}; the last one carries the last bit. A chunk is held back
   * until more bytes (or the end) show it is not the last, so at most one fragment plus one
   * upstream chunk is buffered. The last bit is sent only when the source COMPLETES: if it fails
   * half way, the stream fails without it, so the peer can never take a truncated data set for a
   * whole one (an end marker is concatenated, and concat adds it only after a successful
   * completion; statefulMap's onComplete, which also runs on failure, emits nothing).
   */
  public static Flow<ByteString, PDataTf, NotUsed> flow(int contextId, int maxValueLength) {
    return Flow.<ByteString>create()
        .map(Optional::of)
        .concat(Source.single(Optional.<ByteString>empty()))
        .statefulMap(() -> new ByteString[] {ByteString.emptyByteString()},
            (buffer, next) -> {
              List<PDataTf> out = new ArrayList<>();
              if (next.isEmpty()) {
                out.add(pdv(contextId, true, buffer[0]));
                buffer[0] = ByteString.emptyByteString();
                return Pair.create(buffer, out);
              }
              buffer[0] = buffer[0].concat(next.get());
              while (buffer[0].size() > maxValueLength) {
                out.add(pdv(contextId, false, buffer[0].take(maxValueLength)));
                buffer[0] = buffer[0].drop(maxValueLength);
              }
              return Pair.create(buffer, out);
            },
            buffer -> Optional.<List<PDataTf>>empty())
        .mapConcat(list -> list);
  }

  private static PDataTf pdv(int contextId, boolean last, ByteString value) {
    return new PDataTf(List.of(PresentationDataValue.of(contextId, false, last, value.compact())));
  }
}
