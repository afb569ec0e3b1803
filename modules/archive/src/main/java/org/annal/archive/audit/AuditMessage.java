// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.audit;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One DICOM audit message (PS3.15 §A.5.1, the RFC 3881 based {@code AuditMessage} schema), as
 * {@link AuditXml} writes it: what happened ({@code EventIdentification}), who took part ({@code
 * ActiveParticipant}, one or more), who reports it ({@code AuditSourceIdentification}) and what it
 * was about ({@code ParticipantObjectIdentification}, zero or more). Built by {@link StudyAudit}
 * and {@link QueryAudit} for the messages of PS3.15 §A.5.3.
 *
 * @param eventId EventID, e.g. {@link AuditCodes#INSTANCES_TRANSFERRED}
 * @param actionCode EventActionCode: C, R, U, D or E
 * @param at EventDateTime
 * @param outcome EventOutcomeIndicator: 0 success, 4 minor failure, 8 serious failure, 12 major
 *     failure
 * @param outcomeDescription EventOutcomeDescription, free text; null for none
 * @param participants the ActiveParticipants, at least one
 * @param source AuditSourceIdentification
 * @param objects the ParticipantObjectIdentifications
 */
public record AuditMessage(
    Code eventId,
    String actionCode,
    Instant at,
    int outcome,
    String outcomeDescription,
    List<Participant> participants,
    AuditSource source,
    List<ParticipantObject> objects) {

  /** EventOutcomeIndicator values (PS3.15 §A.5.1). */
  public static final int SUCCESS = 0;
  public static final int MINOR_FAILURE = 4;
  public static final int SERIOUS_FAILURE = 8;
  public static final int MAJOR_FAILURE = 12;

  public AuditMessage {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(source, "source");
    if (!List.of("C", "R", "U", "D", "E").contains(actionCode)) {
      throw new IllegalArgumentException("EventActionCode must be C, R, U, D or E: " + actionCode);
    }
    if (outcome != SUCCESS && outcome != MINOR_FAILURE && outcome != SERIOUS_FAILURE
        && outcome != MAJOR_FAILURE) {
      throw new IllegalArgumentException("EventOutcomeIndicator must be 0, 4, 8 or 12: " + outcome);
    }
    participants = List.copyOf(participants);
    if (participants.isEmpty()) {
      throw new IllegalArgumentException("an audit message has at least one ActiveParticipant");
    }
    objects = List.copyOf(objects);
  }

  /**
   * A coded value: {@code csd-code}, {@code codeSystemName}, {@code originalText} (the Code
   * Meaning) as PS3.15 §A.5.1 writes EventID, RoleIDCode and the other coded elements.
   */
  public record Code(String code, String system, String meaning) {
    public Code {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(meaning, "meaning");
    }
  }

  /**
   * An ActiveParticipant: a process or person taking part.
   *
   * @param userId UserID: an AE title for DICOM peers
   * @param alternativeUserId AlternativeUserID, null for none (Annal puts its node id there)
   * @param requestor UserIsRequestor
   * @param networkAccessPoint NetworkAccessPointID (host name or IP address), null for none; the
   *     NetworkAccessPointTypeCode (1 host name, 2 IP address) is derived from it
   * @param role RoleIDCode, null for none
   */
  public record Participant(String userId, String alternativeUserId, boolean requestor,
      String networkAccessPoint, Code role) {
    public Participant {
      Objects.requireNonNull(userId, "userId");
    }
  }

  /**
   * AuditSourceIdentification: who reports the event.
   *
   * @param id AuditSourceID: the node id
   * @param enterpriseSiteId AuditEnterpriseSiteID: the site; null for none
   */
  public record AuditSource(String id, String enterpriseSiteId) {
    public AuditSource {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * A ParticipantObjectIdentification: a study, a patient, a query.
   *
   * @param id ParticipantObjectID
   * @param typeCode ParticipantObjectTypeCode: 1 person, 2 system object
   * @param typeCodeRole ParticipantObjectTypeCodeRole: 1 patient, 3 report (used by DICOM for
   *     studies and SOP classes), ...
   * @param idType ParticipantObjectIDTypeCode
   * @param name ParticipantObjectName (e.g. the patient's name), null for none
   * @param query ParticipantObjectQuery, the raw bytes (written base64), null for none
   * @param details ParticipantObjectDetail type/value pairs (values written base64)
   * @param sopClasses the SOPClass elements of the ParticipantObjectDescription (a study's
   *     instances by SOP Class); empty for none
   */
  public record ParticipantObject(String id, int typeCode, int typeCodeRole, Code idType,
      String name, byte[] query, List<Detail> details, List<SopClass> sopClasses) {
    public ParticipantObject {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(idType, "idType");
      if (name != null && query != null) {
        throw new IllegalArgumentException("ParticipantObjectName and ParticipantObjectQuery are "
            + "alternatives (PS3.15 §A.5.1)");
      }
      query = query == null ? null : query.clone();
      details = List.copyOf(details);
      sopClasses = List.copyOf(sopClasses);
    }
  }

  /** A ParticipantObjectDetail: a type and a value, the value as bytes (written base64). */
  public record Detail(String type, byte[] value) {
    public Detail {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(value, "value");
    }
  }

  /** A SOPClass element: a SOP Class UID and how many instances of it the message is about. */
  public record SopClass(String uid, int numberOfInstances) {
    public SopClass {
      Objects.requireNonNull(uid, "uid");
    }
  }
}
