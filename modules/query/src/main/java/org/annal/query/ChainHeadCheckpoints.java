// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import java.util.List;

/**
 * Where the {@link StudyIndexProjection} hands each study's newest chain head (the sequence number
 * and hash of its last event seen), so that {@code annal audit verify} can tell a journal whose
 * newest events were cut off from one that never had them (ARCHITECTURE invariant 3). The
 * projection already reads every event of every study, off the C-STORE path: checkpointing there
 * costs ingest nothing.
 *
 * <p>{@link #offer} must not block and must not fail the projection: a checkpoint is evidence
 * kept on the side, and the next group of the study offers a newer head anyway. Heads arrive at
 * least once and, across tags and nodes, in any order: an implementation keeps the highest
 * sequence number per study.
 */
public interface ChainHeadCheckpoints {

  /** The event {@code sequenceNr} of {@code persistenceId} has hash {@code hash}. */
  record Head(String persistenceId, long sequenceNr, String hash) {}

  /** Records heads, asynchronously; returns at once. */
  void offer(List<Head> heads);

  /** Checkpoints nothing (tests, and {@code annal.audit.chain-heads.enabled = off}). */
  ChainHeadCheckpoints NONE = heads -> {};
}
