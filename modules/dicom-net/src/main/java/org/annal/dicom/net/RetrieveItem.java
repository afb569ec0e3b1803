// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * One instance a retrieve sends as a C-STORE sub-operation (PS3.4 C.4.2.2 / C.4.3.2).
 *
 * @param sopClassUid its SOP Class UID
 * @param sopInstanceUid its SOP Instance UID
 * @param storedTransferSyntaxUid the transfer syntax its stored bytes are in
 * @param dataSet opens the stored data set bytes (no PS3.10 meta information); called at most
 *     once, when the sub-operation starts
 * @param wholeDataSet null, or reads the same bytes whole into memory, for instances small enough
 *     for it: the retrieve then reads the next instance while the current one is being sent, and
 *     sends each without a stream of its own; called at most once, possibly one sub-operation
 *     early
 */
public record RetrieveItem(String sopClassUid, String sopInstanceUid,
    String storedTransferSyntaxUid, Supplier<Source<ByteString, ?>> dataSet,
    Supplier<CompletionStage<ByteString>> wholeDataSet) {

  /** An item read as a stream only. */
  public RetrieveItem(String sopClassUid, String sopInstanceUid, String storedTransferSyntaxUid,
      Supplier<Source<ByteString, ?>> dataSet) {
    this(sopClassUid, sopInstanceUid, storedTransferSyntaxUid, dataSet, null);
  }
}
