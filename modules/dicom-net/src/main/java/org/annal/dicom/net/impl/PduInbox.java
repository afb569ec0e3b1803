// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;

/**
 * Internal API. The PDUs an SCU association receives, for one reader at a time. Each pull of a
 * stream's queue is an asynchronous hand-off to the stream and back; a C-FIND answered with 150
 * matches is 150 to 300 PDUs, so the inbox takes every PDU that arrived meanwhile in one pull
 * (batched while the reader is busy, up to a byte bound) and hands the rest out directly.
 */
public final class PduInbox {
  private final SinkQueueWithCancel<List<Pdu>> queue;
  private final ArrayDeque<Pdu> ready = new ArrayDeque<>();

  private PduInbox(SinkQueueWithCancel<List<Pdu>> queue) {
    this.queue = queue;
  }

  /** A sink that fills an inbox, holding at most about {@code maxBytes} of PDUs not yet read. */
  public static Sink<Pdu, PduInbox> sink(long maxBytes) {
    return Flow.<Pdu>create()
        .batchWeighted(maxBytes, PduInbox::weight, pdu -> {
          List<Pdu> batch = new ArrayList<>();
          batch.add(pdu);
          return batch;
        }, (batch, pdu) -> {
          batch.add(pdu);
          return batch;
        })
        .toMat(Sink.<List<Pdu>>queue().withAttributes(Attributes.inputBuffer(1, 1)), Keep.right())
        .mapMaterializedValue(PduInbox::new);
  }

  private static long weight(Pdu pdu) {
    if (pdu instanceof PDataTf data) {
      long n = 6;
      for (PresentationDataValue pdv : data.values()) {
        n += 6 + pdv.value().size();
      }
      return n;
    }
    return 64;
  }

  /** The next PDU; empty once the connection has closed. Call again only once it completed. */
  public CompletionStage<Optional<Pdu>> pull() {
    synchronized (ready) {
      Pdu pdu = ready.poll();
      if (pdu != null) {
        return CompletableFuture.completedFuture(Optional.of(pdu));
      }
    }
    return queue.pull().thenApply(batch -> {
      if (batch.isEmpty() || batch.get().isEmpty()) {
        return Optional.empty();
      }
      synchronized (ready) {
        ready.addAll(batch.get());
        return Optional.of(ready.poll());
      }
    });
  }

  public void cancel() {
    queue.cancel();
  }
}
