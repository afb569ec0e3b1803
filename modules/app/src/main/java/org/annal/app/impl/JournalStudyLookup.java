// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.annal.http.StudyLookup;
import org.annal.archive.Sender;
import org.annal.archive.Study;
import org.annal.archive.StudyChainAudit;
import org.annal.archive.StudyJournal;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Study state and history for the HTTP API, folded from the study's events in the journal on the
 * node that answers. The Study entity may live on another node; shipping its whole state over
 * Artery would need frames as large as the study (a 2,000-instance study is megabytes), while every
 * node reads the same journal, so the answer is the same whichever node gives it. It never starts
 * an entity, so an unknown UID costs one empty read. Internal API.
 */
public final class JournalStudyLookup implements StudyLookup {
  private final ActorSystem<?> system;
  private final StudyJournal journal;
  private final String nodeId;
  private final ObjectMapper mapper = new ObjectMapper();

  public JournalStudyLookup(ActorSystem<?> system, StudyJournal journal, String nodeId) {
    this.system = system;
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

  @Override
  public CompletionStage<Optional<JsonNode>> findAsOf(String studyInstanceUid, Instant asOf) {
    return journal.stateAsOf(Study.persistenceId(studyInstanceUid).id(), asOf.toEpochMilli())
        .thenApply(state -> state.map(s -> (JsonNode) mapper.valueToTree(s)));
  }

  @Override
  public CompletionStage<Optional<JsonNode>> history(String studyInstanceUid) {
    return journal.history(Study.persistenceId(studyInstanceUid).id())
        .map(this::entry)
        .runWith(Sink.seq(), system)
        .thenApply(entries -> {
          if (entries.isEmpty()) {
            return Optional.<JsonNode>empty();
          }
          ObjectNode body = mapper.createObjectNode().put("studyInstanceUid", studyInstanceUid);
          ArrayNode events = body.putArray("events");
          entries.forEach(events::add);
          return Optional.<JsonNode>of(body);
        });
  }

  @Override
  public CompletionStage<JsonNode> changes(String after, int limit) {
    Offset from = parseOffset(after);
    return journal.changes(from, limit).thenApply(changes -> {
      ObjectNode body = mapper.createObjectNode();
      ArrayNode list = body.putArray("changes");
      String next = after;
      for (StudyJournal.Change c : changes) {
        next = formatOffset(c.offset());
        list.addObject()
            .put("offset", next)
            .put("studyInstanceUid", StudyJournal.studyUidOf(c.persistenceId()))
            .put("sequenceNr", c.sequenceNr())
            .put("timestamp", Instant.ofEpochMilli(c.event().at()).toString())
            .put("type", typeOf(c.event()))
            .put("hash", StudyChainAudit.hash(c.event())); // only the feed shows it
      }
      body.put("next", next);
      return body;
    });
  }

  /** An offset as the feed writes it: the time-based UUID (Cassandra), or a sequence number. */
  static String formatOffset(Offset offset) {
    if (offset instanceof TimeBasedUUID t) {
      return t.value().toString();
    }
    if (offset instanceof Sequence s) {
      return Long.toString(s.value());
    }
    throw new IllegalArgumentException("unsupported offset " + offset);
  }

  static Offset parseOffset(String value) {
    if (value == null || value.isEmpty()) {
      return Offset.noOffset();
    }
    if (value.matches("[0-9]{1,18}")) {
      return Offset.sequence(Long.parseLong(value));
    }
    UUID uuid;
    try {
      uuid = UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an offset of this feed: " + value, e);
    }
    if (uuid.version() != 1) {
      throw new IllegalArgumentException("not a time-based (version 1) UUID: " + value);
    }
    return Offset.timeBasedUUID(uuid);
  }

  /** One event for an auditor: what, when, who, the rest of the event, and its chain links. */
  ObjectNode entry(StudyJournal.HistoryEntry entry) {
    Study.Event event = entry.event();
    ObjectNode out = mapper.createObjectNode();
    out.put("sequenceNr", entry.sequenceNr());
    out.put("timestamp", Instant.ofEpochMilli(event.at()).toString());
    out.put("type", typeOf(event));
    out.set("actor", mapper.valueToTree(actorOf(event)));
    ObjectNode details = mapper.valueToTree(event);
    details.remove("prevHash");
    out.set("details", details);
    out.put("prevHash", event.prevHash());
    out.put("hash", entry.hash());
    return out;
  }

  /** The versioned type id the journal stores the event under, e.g. {@code InstanceStored/1}. */
  static String typeOf(Study.Event event) {
    JsonTypeName name = event.getClass().getAnnotation(JsonTypeName.class);
    return name == null ? event.getClass().getSimpleName() : name.value();
  }

  /** Who caused the event: the association (or, later, HTTP client) that sent or asked. */
  static Sender actorOf(Study.Event event) {
    if (event instanceof Study.InstanceStored s) {
      return s.instance().source();
    }
    if (event instanceof Study.DuplicateInstanceReceived d) {
      return d.received().source();
    }
    return ((Study.StudyAccessed) event).access().requester();
  }
}
