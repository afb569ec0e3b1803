// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import java.util.List;
import java.util.Optional;
import org.annal.archive.Study;
import org.apache.pekko.persistence.query.Offset;

/**
 * Where the {@link StudyIndexProjection} writes: the node's local query index. The projection
 * delivers each tag's events in journal order, at least once, so {@link #apply} must be idempotent
 * (re-applying events already applied changes nothing). Writes are visible when {@code apply}
 * returns and durable later: the projection resumes each tag from {@link #resumeOffset}, never
 * ahead of what the index holds, not from the offset store.
 */
public interface StudyIndexRepository {

  /**
   * Applies a group of events of one tag, in order; visible to queries on return.
   *
   * @param tag the tag the events were read from
   * @param events the events, oldest first
   * @param upTo the offset of the last event
   */
  void apply(String tag, List<Study.Event> events, Offset upTo);

  /**
   * Where {@code tag} resumes: the offset of its last event the index holds (in this process, or
   * on disk after a restart), if any.
   */
  Optional<Offset> resumeOffset(String tag);

  /**
   * Identity of this physical index: a new value whenever the index is created from nothing. The
   * projection names its offsets after it, so that offsets never outlive the index they describe.
   */
  String generation();
}
