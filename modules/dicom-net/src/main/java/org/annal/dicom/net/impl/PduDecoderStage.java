// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * PDU framing (PS3.8 §9.3.1): cuts the TCP byte stream into PDUs by their 6-byte header (type,
 * reserved, 32-bit big-endian length).
 *
 * <p>The length is checked against {@code maxPduLength} before any byte of the body is buffered,
 * so memory is bounded by the cap plus one TCP read. An unknown PDU type becomes a
 * {@link MalformedPdu} with reason 1 (unrecognized PDU), a length over the cap or a body
 * inconsistent with its length a {@link MalformedPdu} with reason 6 (invalid PDU parameter value),
 * PS3.8 Table 9-26. After a malformed PDU nothing more is decoded: the rest of the input is read
 * and dropped while the state machine aborts. A connection closed in the middle of a PDU simply
 * completes: the state machine sees "transport closed" (Evt17). Internal API.
 */
public final class PduDecoderStage extends GraphStage<FlowShape<ByteString, Pdu>> {
  private final long maxPduLength;
  private final Runnable awaitingRest;
  private final Inlet<ByteString> in = Inlet.create("PduDecoder.in");
  private final Outlet<Pdu> out = Outlet.create("PduDecoder.out");
  private final FlowShape<ByteString, Pdu> shape = FlowShape.of(in, out);

  /** @param maxPduLength the largest PDU-length field (bytes after the header) accepted */
  public PduDecoderStage(long maxPduLength) {
    this(maxPduLength, () -> { });
  }

  /**
   * @param awaitingRest run each time part of a PDU is held and more bytes are asked for (the
   *     connection's {@link TcpQuickAck} hook: the peer may be waiting for our acknowledgement
   *     before it sends the rest)
   */
  public PduDecoderStage(long maxPduLength, Runnable awaitingRest) {
    this.maxPduLength = maxPduLength;
    this.awaitingRest = awaitingRest;
  }

  @Override
  public FlowShape<ByteString, Pdu> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      private ByteString buffer = ByteString.emptyByteString();
      private boolean malformed;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString chunk = grab(in);
            if (malformed) {
              pull(in);
              return;
            }
            buffer = buffer.concat(chunk);
            tryEmit();
          }

          @Override
          public void onUpstreamFinish() {
            // PDUs already buffered are still delivered; a partial one at the end is dropped.
            if (malformed || !hasCompletePdu()) {
              completeStage();
            } else {
              tryEmit();
            }
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            tryEmit();
          }
        });
      }

      private void tryEmit() {
        if (!isAvailable(out)) {
          return;
        }
        if (buffer.size() >= 6) {
          int typeCode = buffer.apply(0) & 0xFF;
          long length = ((long) (buffer.apply(2) & 0xFF) << 24) | ((buffer.apply(3) & 0xFF) << 16)
              | ((buffer.apply(4) & 0xFF) << 8) | (buffer.apply(5) & 0xFF);
          PduType type = PduType.of(typeCode);
          if (type == null) {
            fail(new MalformedPdu(AAbort.REASON_UNRECOGNIZED_PDU,
                "unrecognized PDU type " + String.format("%02Xh", typeCode)));
            return;
          }
          if (length > maxPduLength) {
            fail(new MalformedPdu(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE,
                type + " PDU-length " + length + " exceeds the cap of " + maxPduLength));
            return;
          }
          if (buffer.size() >= 6 + length) {
            ByteString body = buffer.slice(6, 6 + (int) length).compact();
            buffer = buffer.drop(6 + (int) length);
            Pdu pdu;
            try {
              pdu = PduCodec.decode(type, body);
            } catch (PduException e) {
              fail(new MalformedPdu(e.reason, type + ": " + e.getMessage()));
              return;
            }
            push(out, pdu);
            if (isClosed(in) && !hasCompletePdu()) {
              completeStage();
            }
            return;
          }
        }
        if (isClosed(in)) {
          completeStage();
        } else if (!hasBeenPulled(in)) {
          if (!buffer.isEmpty()) {
            awaitingRest.run();
          }
          pull(in);
        }
      }

      private boolean hasCompletePdu() {
        if (buffer.size() < 6) {
          return false;
        }
        long length = ((long) (buffer.apply(2) & 0xFF) << 24) | ((buffer.apply(3) & 0xFF) << 16)
            | ((buffer.apply(4) & 0xFF) << 8) | (buffer.apply(5) & 0xFF);
        return PduType.of(buffer.apply(0) & 0xFF) == null || length > maxPduLength
            || buffer.size() >= 6 + length;
      }

      private void fail(MalformedPdu malformed) {
        this.malformed = true;
        buffer = ByteString.emptyByteString();
        push(out, malformed);
        if (!hasBeenPulled(in) && !isClosed(in)) {
          pull(in);
        }
      }
    };
  }
}
