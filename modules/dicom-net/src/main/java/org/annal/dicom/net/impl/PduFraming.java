// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * The PDU layer as a {@link BidiFlow}: bytes from the socket become {@link Pdu}s (via
 * {@link PduDecoderStage}), PDUs to send become bytes (PS3.8 §9.3). Internal API.
 *
 * <pre>
 *   socket bytes ──▶ PduDecoderStage ──▶ Pdu ──▶ (state machine)
 *   socket bytes ◀── coalesce ◀── PduCodec.encode ◀── Pdu ◀──
 * </pre>
 *
 * <p>The TCP stage has one write in flight at a time; PDUs that queue up behind it are joined into
 * one write of up to {@link DataSetFragments#BATCH_BYTES} (a 512 KB image in 16 KB PDUs is then a
 * few writes, not 32 write-and-acknowledge rounds).
 */
public final class PduFraming {
  private PduFraming() {}

  /** @param awaitingRest run as {@link PduDecoderStage} says (the connection's quick-ACK hook) */
  public static BidiFlow<ByteString, Pdu, Pdu, ByteString, NotUsed> bidi(long maxPduLength,
      Runnable awaitingRest) {
    return BidiFlow.fromFlows(
        Flow.fromGraph(new PduDecoderStage(maxPduLength, awaitingRest)),
        Flow.<Pdu>create().map(PduCodec::encode)
            .batchWeighted(DataSetFragments.BATCH_BYTES, b -> (long) b.size(), b -> b,
                ByteString::concat));
  }
}
