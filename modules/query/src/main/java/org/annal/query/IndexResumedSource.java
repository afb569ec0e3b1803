// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A tag's event source that starts after the offset the query index holds
 * ({@link StudyIndexRepository#resumeOffset}) instead of the offset the projection stored in
 * Cassandra. The index commits every {@code commit-interval}, not after every group, so the stored
 * offset may be ahead of what a crashed node's index kept; resuming from the index's own commit
 * applies those events again (idempotent) rather than skipping them. The offset store is still
 * written (progress visible to ProjectionManagement; cleared by {@code reindex}).
 *
 * @param <E> the envelope type of the delegate
 */
final class IndexResumedSource<E> extends SourceProvider<Offset, E> {
  private final SourceProvider<Offset, E> delegate;
  private final Supplier<Optional<Offset>> resumeOffset;

  IndexResumedSource(SourceProvider<Offset, E> delegate, Supplier<Optional<Offset>> resumeOffset) {
    this.delegate = delegate;
    this.resumeOffset = resumeOffset;
  }

  @Override
  public CompletionStage<Source<E, NotUsed>> source(
      Supplier<CompletionStage<Optional<Offset>>> storedOffset) {
    return delegate.source(() -> CompletableFuture.completedFuture(resumeOffset.get()));
  }

  @Override
  public Offset extractOffset(E envelope) {
    return delegate.extractOffset(envelope);
  }

  @Override
  public long extractCreationTime(E envelope) {
    return delegate.extractCreationTime(envelope);
  }
}
