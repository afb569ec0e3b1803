// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * A storage handler that consumes nothing until its gate opens: the stand-in for a slow disk. It
 * counts the bytes it has consumed so tests can see how far ahead of it the socket was read.
 */
final class GatedHandler implements CStoreHandler {
  final CompletableFuture<Void> gate = new CompletableFuture<>();
  final AtomicLong consumed = new AtomicLong();
  final AtomicLong started = new AtomicLong();
  final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

  @Override
  public Sink<ByteString, CompletionStage<DimseStatus>> onCStore(AssociationInfo association,
      CStoreRq request, String transferSyntaxUid) {
    started.incrementAndGet();
    return Flow.<ByteString>create()
        .mapAsync(1, chunk -> gate.thenApply(x -> chunk))
        .toMat(Sink.foreach(chunk -> consumed.addAndGet(chunk.size())), Keep.right())
        .mapMaterializedValue(done -> done.handle((d, failure) -> {
          if (failure != null) {
            failures.add(failure);
            throw new CompletionException(failure);
          }
          return DimseStatus.SUCCESS;
        }));
  }
}
