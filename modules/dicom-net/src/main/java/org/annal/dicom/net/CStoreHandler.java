// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * The Storage Service Class SCP side of C-STORE (PS3.4 Annex B, PS3.7 §9.1.1), as the archive
 * implements it. Protocol code knows nothing of persistence: it only calls this.
 */
public interface CStoreHandler {

  /**
   * Called once per C-STORE-RQ, when its command set has arrived and before its data set.
   *
   * <p>The association streams the data set bytes into the returned sink exactly as received in
   * {@code transferSyntaxUid} (the PDV fragments concatenated, no PS3.10 meta header), with
   * backpressure: it reads no further from the socket than the sink demands. It answers the
   * C-STORE-RSP with the status the sink's materialized value completes with, and with
   * {@link Status#OUT_OF_RESOURCES} if that stage fails. If the data set ends early (abort, truncated
   * PDU) the sink's upstream fails, so a handler must never report success for a partial data set.
   * If the sink cancels early, the rest of the data set is read and discarded.
   *
   * <p>The returned sink is materialized exactly once, so it may hold per-C-STORE state created
   * here (no need for {@code Sink.fromMaterializer}, which costs a materialization per C-STORE).
   *
   * <p>Runs on the association's stream (the sink is materialized into it): neither this method
   * nor the sink's stages may block; hand blocking I/O to a blocking dispatcher (an async boundary
   * as {@code FileIO} does, or tasks on an executor). An exception thrown here answers A700 too.
   */
  Sink<ByteString, CompletionStage<DimseStatus>> onCStore(
      AssociationInfo association, CStoreRq request, String transferSyntaxUid);
}
