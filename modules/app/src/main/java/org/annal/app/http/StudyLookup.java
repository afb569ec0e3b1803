// SPDX-License-Identifier: Apache-2.0
package org.annal.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Finds a study's current state for the HTTP API, as JSON. Empty when the study has no event in the
 * journal: an implementation must find that out without starting (and so creating) an entity for
 * an unknown UID.
 */
@FunctionalInterface
public interface StudyLookup {
  CompletionStage<Optional<JsonNode>> find(String studyInstanceUid);
}
