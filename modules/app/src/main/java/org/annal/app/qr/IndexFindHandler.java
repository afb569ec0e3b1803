// SPDX-License-Identifier: Apache-2.0
package org.annal.app.qr;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.annal.app.impl.LogFiles;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetWriter;
import org.annal.dicom.Element;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CFindHandler;
import org.annal.dicom.net.CFindRq;
import org.annal.dicom.net.DimseException;
import org.annal.dicom.net.QueryRetrieveSopClasses;
import org.annal.dicom.net.Status;
import org.annal.query.FindResult;
import org.annal.query.InformationModel;
import org.annal.query.QueryException;
import org.annal.query.QueryRetrieveLevel;
import org.annal.query.QueryService;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The C-FIND SCP of the node (PS3.4 C.4.1): the identifier is matched against this node's query
 * index ({@link QueryService}, Lucene, on the association's thread: see onCFind);
 * each match is one Pending response. More matches than {@code annal.query.max-results}: the
 * first ones are sent, then the final status is A700 (Refused: Out of Resources) with an Error
 * Comment saying so (kept under the 64 characters of an LO). Every query goes to the audit log ({@code DATA_DIR/logs/audit.log}): who,
 * which model and level, which keys, how many matches, the outcome, and for the DICOM Query audit
 * message (PS3.15 §A.5.3.10) the SOP Class, the transfer syntax and the identifier as encoded in it
 * (base64). Queries are not study events.
 */
public final class IndexFindHandler implements CFindHandler {
  private static final Logger audit = LoggerFactory.getLogger(LogFiles.AUDIT_LOGGER);
  static final int QUERY_RETRIEVE_LEVEL = 0x00080052;

  private final QueryService query;

  public IndexFindHandler(QueryService query) {
    this.query = query;
  }

  @Override
  public Source<Dataset, NotUsed> onCFind(AssociationInfo association, CFindRq request,
      Dataset identifier) {
    long started = System.nanoTime();
    InformationModel model = modelOf(request.affectedSopClassUid());
    String levelName = identifier.getString(QUERY_RETRIEVE_LEVEL);
    String keys = describe(identifier);
    String encoded = encode(identifier, request.transferSyntaxUid());
    // The search runs on the association's own stage, at its first demand, not on the blocking
    // dispatcher: it is CPU work on an index the page cache holds (Lucene over memory-mapped
    // files, at most max-results records decoded), and the two hand-offs (to a pool thread, back
    // into the stage) cost more than the search on a busy machine. 200,000 instances, 2 cores,
    // three runs before against two after, alternating (stop 18): p50 1.28-1.65 -> 0.91-0.98 ms
    // (exact PatientID), 2.99-3.54 -> 2.22-2.59 ms (date + modality); p99s 8.1-17.8 -> 6.0-14.0.
    // A C-CANCEL-RQ is therefore read after the search, before the first match is sent.
    Source<Dataset, NotUsed> answers = Source.lazySingle(() -> find(model, levelName, identifier))
        .flatMapConcat(result -> {
          Source<Dataset, NotUsed> matches = Source.from(result.matches());
          return result.capped()
              // The failure must come after the matches: concat starts a second source at
              // once, and even concatLazy fails at once on a bare Source.failed (both measured);
              // only a lazily created failed source waits its turn.
              ? matches.concatLazy(Source.lazySource(() -> Source.<Dataset>failed(
                  new DimseException(Status.OUT_OF_RESOURCES,
                      "More than " + result.cap() + " matches: refine the query"))))
              : matches;
        })
        .mapMaterializedValue(x -> NotUsed.notUsed());
    long[] sent = {0};
    return answers.map(d -> {
      sent[0]++;
      return d;
    }).watchTermination(Keep.right()).mapMaterializedValue(done -> {
      done.whenComplete((ok, failure) -> audit(association, request, encoded, model, levelName,
          keys, sent[0],
          failure == null ? "completed" : outcome(failure), (System.nanoTime() - started) / 1_000_000));
      return NotUsed.notUsed();
    });
  }

  private FindResult find(InformationModel model, String levelName, Dataset identifier) {
    QueryRetrieveLevel level = levelOf(levelName);
    try {
      return query.find(level, model, identifier, 0);
    } catch (QueryException e) {
      int status = e.reason() == QueryException.Reason.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS
          ? Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS : Status.CANNOT_UNDERSTAND;
      throw new DimseException(status, e.getMessage());
    }
  }

  /** Query/Retrieve Level (0008,0052) as sent; A900 when missing or not a level name. */
  static QueryRetrieveLevel levelOf(String levelName) {
    try {
      return QueryRetrieveLevel.valueOf(levelName == null ? "" : levelName.strip());
    } catch (IllegalArgumentException e) {
      throw new DimseException(Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS,
          "Query/Retrieve Level (0008,0052) missing or not one of PATIENT, STUDY, SERIES, IMAGE: "
              + levelName);
    }
  }

  static InformationModel modelOf(String sopClassUid) {
    return switch (sopClassUid) {
      case QueryRetrieveSopClasses.PATIENT_ROOT_FIND, QueryRetrieveSopClasses.PATIENT_ROOT_MOVE,
          QueryRetrieveSopClasses.PATIENT_ROOT_GET -> InformationModel.PATIENT_ROOT;
      default -> InformationModel.STUDY_ROOT;
    };
  }

  /** The identifier's keys as {@code Keyword=value} (empty value = return key), for the audit log. */
  static String describe(Dataset identifier) {
    List<String> parts = new ArrayList<>();
    for (Element e : identifier.elements()) {
      String keyword = ElementDictionary.keywordOf(e.tag());
      String value;
      try {
        value = e.vr().name().equals("SQ") ? "(sequence)" : identifier.getString(e.tag());
      } catch (RuntimeException notText) {
        value = "(binary)";
      }
      parts.add((keyword == null ? String.format("(%04X,%04X)", e.tag() >>> 16, e.tag() & 0xFFFF)
          : keyword) + "=" + (value == null ? "" : value));
    }
    return String.join(" ", parts);
  }

  private static String outcome(Throwable failure) {
    Throwable t = failure.getCause() != null && !(failure instanceof DimseException)
        ? failure.getCause() : failure;
    if (t instanceof DimseException d) {
      return String.format("status %04X: %s", d.status().code(), t.getMessage());
    }
    return t.getClass().getSimpleName().contains("Cancel") ? "cancelled" : "failed: " + t;
  }

  /**
   * The identifier in the presentation context's transfer syntax, base64, for the audit message's
   * ParticipantObjectQuery; "" if it cannot be encoded (the keys text still describes it).
   */
  static String encode(Dataset identifier, String transferSyntaxUid) {
    try {
      return Base64.getEncoder().encodeToString(DatasetWriter.encode(identifier, transferSyntaxUid));
    } catch (RuntimeException e) {
      return "";
    }
  }

  private static void audit(AssociationInfo a, CFindRq request, String encoded,
      InformationModel model, String level, String keys, long matches, String outcome,
      long millis) {
    audit.atInfo().addKeyValue("event", "query")
        .addKeyValue("service", "C-FIND")
        .addKeyValue("calling_ae", a.callingAeTitle())
        .addKeyValue("called_ae", a.calledAeTitle())
        .addKeyValue("peer", String.valueOf(a.peerAddress()))
        .addKeyValue("association", a.associationId())
        .addKeyValue("model", model.name())
        .addKeyValue("level", String.valueOf(level))
        .addKeyValue("keys", keys)
        .addKeyValue("sop_class", request.affectedSopClassUid())
        .addKeyValue("transfer_syntax", request.transferSyntaxUid())
        .addKeyValue("query", encoded)
        .addKeyValue("matches", matches)
        .addKeyValue("outcome", outcome)
        .addKeyValue("ms", millis)
        .log("C-FIND from {} ({}) {} {}: {} matches, {}", a.callingAeTitle(), a.peerAddress(),
            model, level, matches, outcome);
  }

}
