// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import java.util.List;
import org.annal.archive.Study;

/**
 * Where the {@link StudyIndexProjection} writes: the node's local query index. The projection
 * delivers each tag's events in journal order, at least once, so {@link #apply} must be idempotent
 * (re-applying events already applied changes nothing) and durable when it returns (the projection
 * stores its offset after that).
 */
public interface StudyIndexRepository {

  /**
   * Applies a batch of events of one tag, in order; durable and visible to queries on return.
   *
   * @param events the events, oldest first
   */
  void apply(List<Study.Event> events);

  /**
   * Identity of this physical index: a new value whenever the index is created from nothing. The
   * projection names its offsets after it, so that offsets never outlive the index they describe.
   */
  String generation();
}
