// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.annal.app.http.StudyLookup;
import org.annal.archive.Study;
import org.annal.archive.StudyJournal;

/**
 * Study state for the HTTP API, folded from the study's events in the journal on the node that
 * answers. The Study entity may live on another node; shipping its whole state over Artery would
 * need frames as large as the study (a 2,000-instance study is megabytes), while every node reads
 * the same journal, so the answer is the same whichever node gives it. It never starts an entity,
 * so an unknown UID costs one empty read. Internal API.
 */
public final class JournalStudyLookup implements StudyLookup {
  private final StudyJournal journal;
  private final String nodeId;
  private final ObjectMapper mapper = new ObjectMapper();

  public JournalStudyLookup(StudyJournal journal, String nodeId) {
    this.journal = journal;
    this.nodeId = nodeId;
  }

  @Override
  public CompletionStage<Optional<JsonNode>> find(String studyInstanceUid) {
    return journal.replay(Study.persistenceId(studyInstanceUid).id(), nodeId)
        .thenApply(replay -> replay.state().eventCount() == 0
            ? Optional.<JsonNode>empty()
            : Optional.<JsonNode>of(mapper.valueToTree(replay.state())));
  }
}
