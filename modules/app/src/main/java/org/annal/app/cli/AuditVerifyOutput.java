// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.annal.archive.StudyChainAudit.Finding;
import org.annal.archive.StudyChainAudit.Kind;
import org.annal.archive.StudyChainAudit.Result;
import org.annal.archive.StudyJournal;

/**
 * What {@code annal audit verify} prints, one study at a time (nothing is held but counts): a
 * table of the studies with findings (every study with {@code listClean}) and a summary, or one
 * JSON document listing every study. Not thread-safe: fed from one stream stage.
 *
 * <pre>
 * RESULT    EVENTS  CHECKPOINT  STUDY
 * TAMPERED      12          12  1.2.840.113619.2.1
 *           EDITED             the hash of event 5 is not the prevHash event 6 recorded: ...
 * studies 3, events 40, clean 2, tampered 1, without checkpoint 0; tampered studies by kind:
 *   edited 1, deleted 0, reordered 0, truncated 0, checkpoint mismatch 0; 0.4 s
 * audit verify: FAILED
 * </pre>
 */
final class AuditVerifyOutput {
  /** Counts so far; by kind: studies with at least one finding of that kind. */
  record Tally(long studies, long events, long clean, long tampered, long withoutCheckpoint,
      Map<Kind, Long> byKind) {}

  private final PrintWriter out;
  private final JsonGenerator json;
  private final String journal;
  private final String checkpoints;
  private final boolean listClean;
  private final Map<Kind, Long> byKind = new EnumMap<>(Kind.class);
  private long studies;
  private long events;
  private long clean;
  private long tampered;
  private long withoutCheckpoint;
  private boolean started;

  private AuditVerifyOutput(PrintWriter out, JsonGenerator json, String journal,
      String checkpoints, boolean listClean) {
    this.out = out;
    this.json = json;
    this.journal = journal;
    this.checkpoints = checkpoints;
    this.listClean = listClean;
    for (Kind kind : Kind.values()) {
      byKind.put(kind, 0L);
    }
  }

  static AuditVerifyOutput text(PrintWriter out, String journal, String checkpoints,
      boolean listClean) {
    return new AuditVerifyOutput(out, null, journal, checkpoints, listClean);
  }

  static AuditVerifyOutput json(PrintWriter out, String journal, String checkpoints) {
    try {
      JsonGenerator generator = new JsonFactory().createGenerator(out)
          .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      return new AuditVerifyOutput(out, generator.useDefaultPrettyPrinter(), journal,
          checkpoints, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Tally tally() {
    return new Tally(studies, events, clean, tampered, withoutCheckpoint, Map.copyOf(byKind));
  }

  /** One study's result. */
  void study(Result r) {
    studies++;
    events += r.events();
    boolean warning = r.findings().stream().anyMatch(f -> f.kind() == Kind.NO_CHECKPOINT);
    if (warning) {
      withoutCheckpoint++;
    }
    if (r.clean()) {
      clean++;
    } else {
      tampered++;
    }
    r.findings().stream().map(Finding::kind).distinct()
        .forEach(k -> byKind.merge(k, 1L, Long::sum));
    String status = !r.clean() ? "TAMPERED" : warning ? "WARNING" : "CLEAN";
    try {
      if (json != null) {
        writeJson(r, status);
      } else if (!r.findings().isEmpty() || listClean) {
        writeText(r, status);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeText(Result r, String status) {
    if (!started) {
      started = true;
      out.println("RESULT    EVENTS  CHECKPOINT  STUDY");
    }
    out.println(String.format(Locale.ROOT, "%-8s %7d  %10s  %s", status, r.events(),
        r.checkpoint().map(c -> Long.toString(c.sequenceNr())).orElse("-"),
        StudyJournal.studyUidOf(r.persistenceId())));
    for (Finding f : r.findings()) {
      out.println(String.format(Locale.ROOT, "          %-19s %s", f.kind(), f.detail()));
    }
    out.flush();
  }

  private void startJson() throws IOException {
    if (!started) {
      started = true;
      json.writeStartObject();
      json.writeStringField("journal", journal);
      json.writeStringField("checkpoints", checkpoints);
      json.writeArrayFieldStart("studies");
    }
  }

  private void writeJson(Result r, String status) throws IOException {
    startJson();
    json.writeStartObject();
    json.writeStringField("studyInstanceUid", StudyJournal.studyUidOf(r.persistenceId()));
    json.writeStringField("status", status);
    json.writeNumberField("events", r.events());
    json.writeNumberField("lastSequenceNr", r.lastSequenceNr());
    if (r.checkpoint().isPresent()) {
      json.writeObjectFieldStart("checkpoint");
      json.writeNumberField("sequenceNr", r.checkpoint().get().sequenceNr());
      json.writeStringField("hash", r.checkpoint().get().hash());
      json.writeEndObject();
    } else {
      json.writeNullField("checkpoint");
    }
    json.writeArrayFieldStart("findings");
    for (Finding f : r.findings()) {
      json.writeStartObject();
      json.writeStringField("kind", f.kind().name());
      json.writeNumberField("fromSequenceNr", f.fromSequenceNr());
      json.writeNumberField("toSequenceNr", f.toSequenceNr());
      json.writeStringField("detail", f.detail());
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  /** The summary; {@code seconds} the whole run took. */
  void finish(double seconds) {
    boolean ok = tampered == 0;
    try {
      if (json != null) {
        startJson();
        json.writeEndArray();
        json.writeObjectFieldStart("summary");
        json.writeNumberField("studies", studies);
        json.writeNumberField("events", events);
        json.writeNumberField("clean", clean);
        json.writeNumberField("tampered", tampered);
        json.writeNumberField("withoutCheckpoint", withoutCheckpoint);
        for (Kind kind : Kind.values()) {
          if (kind != Kind.NO_CHECKPOINT) {
            json.writeNumberField(camel(kind), byKind.get(kind));
          }
        }
        json.writeNumberField("seconds", Math.round(seconds * 10) / 10.0);
        json.writeEndObject();
        json.writeBooleanField("ok", ok);
        json.writeEndObject();
        json.flush();
        out.println();
      } else {
        out.println(String.format(Locale.ROOT, "studies %d, events %d, clean %d, tampered %d, "
                + "without checkpoint %d; tampered studies by kind: edited %d, deleted %d, "
                + "reordered %d, truncated %d, checkpoint mismatch %d; journal %s, checkpoints %s;"
                + " %.1f s",
            studies, events, clean, tampered, withoutCheckpoint, byKind.get(Kind.EDITED),
            byKind.get(Kind.DELETED), byKind.get(Kind.REORDERED), byKind.get(Kind.TRUNCATED),
            byKind.get(Kind.CHECKPOINT_MISMATCH), journal, checkpoints, seconds));
        out.println(ok ? "audit verify: OK" : "audit verify: FAILED");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.flush();
  }

  /** CHECKPOINT_MISMATCH → checkpointMismatch. */
  static String camel(Kind kind) {
    String[] words = kind.name().toLowerCase(Locale.ROOT).split("_");
    StringBuilder b = new StringBuilder(words[0]);
    for (int i = 1; i < words.length; i++) {
      b.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
    }
    return b.toString();
  }
}
