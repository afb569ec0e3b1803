// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.annal.archive.audit.AuditMessage.AuditSource;
import org.annal.archive.audit.AuditMessage.Detail;
import org.annal.archive.audit.AuditMessage.Participant;
import org.annal.archive.audit.AuditMessage.ParticipantObject;

/**
 * A C-FIND as the DICOM Query audit message (PS3.15 §A.5.3.10, EventID 110112, action E): Source
 * = the AE that queried (requestor, at its network address), Destination = Annal's AE as called,
 * the node id as AlternativeUserID; one object, the SOP Class queried (type 2, role 3, ID type
 * 110181), with the identifier as sent in ParticipantObjectQuery and its transfer syntax in the
 * ParticipantObjectDetail {@code TransferSyntax}. C-FINDs are not study events: the node writes them
 * to its audit log, which the exporter reads back into {@link Query}s.
 */
public final class QueryAudit {
  private QueryAudit() {}

  /**
   * One C-FIND.
   *
   * @param at when it ended
   * @param peerAddress {@code host:port} of the caller
   * @param sopClassUid the Affected SOP Class UID of the C-FIND-RQ (the information model)
   * @param transferSyntaxUid the presentation context's transfer syntax; null if not recorded
   * @param identifier the identifier as encoded in that transfer syntax; null if not recorded
   *     (audit log lines written before it was)
   * @param keys the identifier as {@code Keyword=value} text, what older log lines hold instead
   * @param outcome {@code completed}, {@code cancelled}, {@code status XXXX: ...} or {@code failed:
   *     ...}, as the audit log writes it
   * @param node the node that answered
   */
  public record Query(Instant at, String callingAeTitle, String calledAeTitle, String peerAddress,
      String sopClassUid, String transferSyntaxUid, byte[] identifier, String keys,
      String outcome, String node, String site) {
    public Query {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(node, "node");
      identifier = identifier == null ? null : identifier.clone();
    }
  }

  public static AuditMessage message(Query q) {
    List<Participant> participants = List.of(
        new Participant(nonNull(q.callingAeTitle()), null, true, StudyAudit.host(q.peerAddress()),
            AuditCodes.SOURCE),
        new Participant(nonNull(q.calledAeTitle()), q.node(), false, null,
            AuditCodes.DESTINATION));
    byte[] query = q.identifier() != null ? q.identifier()
        : nonNull(q.keys()).getBytes(StandardCharsets.UTF_8);
    List<Detail> details = q.identifier() != null && q.transferSyntaxUid() != null
        ? List.of(new Detail("TransferSyntax", AuditXml.utf8(q.transferSyntaxUid())))
        : List.of();
    ParticipantObject sopClass = new ParticipantObject(nonNull(q.sopClassUid()),
        AuditCodes.SYSTEM_OBJECT, AuditCodes.ROLE_REPORT, AuditCodes.SOP_CLASS_UID, null, query,
        details, List.of());
    int outcome = outcome(q.outcome());
    String description = q.identifier() == null
        ? "C-FIND " + nonNull(q.outcome()) + "; the query is the keys as text (Keyword=value, "
            + "UTF-8): this audit log line has no encoded identifier"
        : outcome == AuditMessage.SUCCESS ? null : "C-FIND " + q.outcome();
    return new AuditMessage(AuditCodes.QUERY, "E", q.at(), outcome, description, participants,
        new AuditSource(q.node(), q.site()), List.of(sopClass));
  }

  /**
   * 0 completed; 4 cancelled or refused for too many matches (A700: the first ones were sent);
   * 8 any other failure.
   */
  static int outcome(String outcome) {
    String o = nonNull(outcome).toLowerCase(Locale.ROOT);
    if (o.equals("completed")) {
      return AuditMessage.SUCCESS;
    }
    if (o.equals("cancelled") || o.startsWith("status a700")) {
      return AuditMessage.MINOR_FAILURE;
    }
    return AuditMessage.SERIOUS_FAILURE;
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
