// SPDX-License-Identifier: Apache-2.0
package org.annal.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Finds a study for the HTTP API, as JSON, from the journal. Empty when the study has no event in
 * the journal: an implementation must find that out without starting (and so creating) an entity
 * for an unknown UID.
 */
public interface StudyLookup {

  /** The study's current state. */
  CompletionStage<Optional<JsonNode>> find(String studyInstanceUid);

  /**
   * The study's state replayed from its events up to {@code asOf} (events at or before it); a
   * state with no event when the study did not exist yet.
   */
  CompletionStage<Optional<JsonNode>> findAsOf(String studyInstanceUid, Instant asOf);

  /**
   * The study's history: every event oldest first, each with its sequence number, time, type,
   * actor, details, hash and the hash of the event before it.
   */
  CompletionStage<Optional<JsonNode>> history(String studyInstanceUid);

  /**
   * The change feed: the next {@code limit} events of all studies after {@code after} (an offset
   * from an earlier page; null for the beginning), oldest first, with the offset to resume from.
   *
   * @throws IllegalArgumentException if {@code after} is not an offset
   */
  CompletionStage<JsonNode> changes(String after, int limit);
}
