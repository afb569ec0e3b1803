// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.pf.PFBuilder;
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
  private final SinkQueueWithCancel<List<Object>> queue;
  /** PDUs, and at the end possibly a {@link Failed}. */
  private final ArrayDeque<Object> ready = new ArrayDeque<>();

  /** The connection failed after the PDUs before it: they are read first, then this fails. */
  private record Failed(Throwable cause) {}

  private PduInbox(SinkQueueWithCancel<List<Object>> queue) {
    this.queue = queue;
  }

  /** A sink that fills an inbox, holding at most about {@code maxBytes} of PDUs not yet read. */
  public static Sink<Pdu, PduInbox> sink(long maxBytes) {
    // A failure becomes an element, or the batch stage would drop the PDUs it still holds (an
    // A-ABORT just before a reset) and fail at once.
    return Flow.<Pdu>create()
        .<Object>map(pdu -> pdu)
        .recover(new PFBuilder<Throwable, Object>().match(Throwable.class, Failed::new).build())
        .batchWeighted(maxBytes, PduInbox::weight, element -> {
          List<Object> batch = new ArrayList<>();
          batch.add(element);
          return batch;
        }, (batch, element) -> {
          batch.add(element);
          return batch;
        })
        .toMat(Sink.<List<Object>>queue().withAttributes(Attributes.inputBuffer(1, 1)),
            Keep.right())
        .mapMaterializedValue(PduInbox::new);
  }

  private static long weight(Object element) {
    if (!(element instanceof Pdu pdu)) {
      return 0;
    }
    if (pdu instanceof PDataTf data) {
      long n = 6;
      for (PresentationDataValue pdv : data.values()) {
        n += 6 + pdv.value().size();
      }
      return n;
    }
    return 64;
  }

  /**
   * The next PDU; empty once the connection has closed, failed (after the PDUs received before)
   * if it failed. Call again only once it completed.
   */
  public CompletionStage<Optional<Pdu>> pull() {
    synchronized (ready) {
      Object next = ready.poll();
      if (next != null) {
        return handOut(next);
      }
    }
    return queue.pull().thenCompose(batch -> {
      if (batch.isEmpty() || batch.get().isEmpty()) {
        return CompletableFuture.completedFuture(Optional.<Pdu>empty());
      }
      synchronized (ready) {
        ready.addAll(batch.get());
        return handOut(ready.poll());
      }
    });
  }

  private static CompletionStage<Optional<Pdu>> handOut(Object next) {
    return next instanceof Failed failed ? CompletableFuture.failedFuture(failed.cause())
        : CompletableFuture.completedFuture(Optional.of((Pdu) next));
  }

  public void cancel() {
    queue.cancel();
  }
}
