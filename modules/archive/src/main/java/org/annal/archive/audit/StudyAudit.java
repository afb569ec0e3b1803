// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.annal.archive.ReceivedInstance;
import org.annal.archive.Sender;
import org.annal.archive.Study;
import org.annal.archive.audit.AuditMessage.AuditSource;
import org.annal.archive.audit.AuditMessage.Participant;
import org.annal.archive.audit.AuditMessage.ParticipantObject;
import org.annal.archive.audit.AuditMessage.SopClass;

/**
 * Study events as DICOM audit messages (PS3.15 §A.5.3):
 *
 * <ul>
 *   <li>{@link Study.InstanceStored} → DICOM Instances Transferred (§A.5.3.4, 110104), action
 *       {@code C} (created), or {@code U} when it follows a {@code REPLACED} duplicate of the same
 *       instance (the held copy was updated). Source = the sending AE (the requestor, at its
 *       network address), Destination = Annal's AE as the sender called it, the node id as
 *       AlternativeUserID; a C-MOVE sub-operation adds its Move Originator as requestor.
 *   <li>{@link Study.DuplicateInstanceReceived}: {@code ACKNOWLEDGED_IDENTICAL} → 110104 action
 *       {@code R} (the receiver held the instance and changed nothing), outcome 0; {@code
 *       KEPT_FIRST} → 110104 action {@code R}, outcome 4 (the received copy was discarded);
 *       {@code REPLACED} → no message of its own: the InstanceStored that follows says it.
 *   <li>{@link Study.StudyAccessed} (C-MOVE, C-GET) → Begin Transferring DICOM Instances (§A.5.3.3,
 *       110102, action E, at the request time; none when it was refused before any instance) and
 *       DICOM Instances Transferred (110104, action
 *       {@code R}, at the end): one with outcome 0 for the instances sent (completed or warning),
 *       and, if some were not sent, one for those with outcome 8 (failed) or 4 (cancelled), since
 *       §A.5.2 wants no message with mixed results. Source = Annal, Destination = the destination
 *       AE; for C-MOVE the requester is a third participant, for C-GET the destination is the
 *       requester.
 * </ul>
 *
 * Every message names the study (object type 2, role 3, ID type 110180, with its SOP Classes and
 * instance counts) and the patient (type 1, role 1, Patient ID, name). A StudyAccessed event does
 * not repeat the patient or the SOP Classes: they come from the study's state, which the caller
 * passes (null: left out). One instance per stateful object: it remembers REPLACED duplicates
 * until their InstanceStored, so feed it one export's events in journal order.
 */
public final class StudyAudit {
  private final Map<String, String> replacedPending = new HashMap<>();

  /**
   * The messages for one event of study {@code studyInstanceUid}, oldest first; empty for an event
   * that has none of its own.
   *
   * @param state the study as of the event (for StudyAccessed: patient, SOP Classes); may be null
   */
  public List<AuditMessage> messages(String studyInstanceUid, Study.Event event,
      Study.State state) {
    AuditSource source = new AuditSource(event.node(), event.site());
    if (event instanceof Study.InstanceStored stored) {
      ReceivedInstance in = stored.instance();
      boolean replaced = in.sopInstanceUid().equals(replacedPending.remove(studyInstanceUid));
      return List.of(received(in, replaced ? "U" : "C", AuditMessage.SUCCESS, null, event, source));
    }
    if (event instanceof Study.DuplicateInstanceReceived duplicate) {
      return switch (duplicate.resolution()) {
        case REPLACED -> {
          replacedPending.put(studyInstanceUid, duplicate.sopInstanceUid());
          yield List.of();
        }
        case ACKNOWLEDGED_IDENTICAL -> List.of(received(duplicate.received(), "R",
            AuditMessage.SUCCESS, "instance " + duplicate.sopInstanceUid() + " already held with "
                + "identical data: acknowledged, not stored again", event, source));
        case KEPT_FIRST -> List.of(received(duplicate.received(), "R", AuditMessage.MINOR_FAILURE,
            "instance " + duplicate.sopInstanceUid() + " already held with different data: the "
                + "received copy was discarded, the first kept (duplicate policy keep-first)",
            event, source));
      };
    }
    Study.StudyAccessed accessed = (Study.StudyAccessed) event;
    return accessed(studyInstanceUid, accessed, state,
        new AuditSource(accessed.access().servedBy() == null ? event.node()
            : accessed.access().servedBy(), event.site()));
  }

  private static AuditMessage received(ReceivedInstance in, String action, int outcome,
      String description, Study.Event event, AuditSource source) {
    Sender from = in.source();
    boolean moved = from.moveOriginatorAeTitle() != null && !from.moveOriginatorAeTitle().isEmpty();
    List<Participant> participants = new ArrayList<>();
    participants.add(new Participant(from.callingAeTitle(), null, !moved, host(from.peerAddress()),
        AuditCodes.SOURCE));
    participants.add(new Participant(from.calledAeTitle(), event.node(), false, null,
        AuditCodes.DESTINATION));
    if (moved) {
      participants.add(new Participant(from.moveOriginatorAeTitle(), null, true, null, null));
    }
    return new AuditMessage(AuditCodes.INSTANCES_TRANSFERRED, action,
        Instant.ofEpochMilli(event.at()), outcome, description, participants, source,
        List.of(study(in.studyInstanceUid(), List.of(new SopClass(in.sopClassUid(), 1))),
            patient(in.attributes())));
  }

  private static List<AuditMessage> accessed(String studyUid, Study.StudyAccessed event,
      Study.State state, AuditSource source) {
    Study.Access a = event.access();
    Sender requester = a.requester();
    // C-GET and DICOMweb send to the requester itself; C-MOVE to a third party.
    boolean web = a.how().startsWith("WADO");
    boolean get = "C-GET".equals(a.how()) || web;
    List<Participant> participants = new ArrayList<>();
    participants.add(new Participant(requester.calledAeTitle(), source.id(), false, null,
        AuditCodes.SOURCE));
    String destination = web ? requester.peerAddress()
        : a.destinationAeTitle() == null ? "" : a.destinationAeTitle();
    participants.add(new Participant(destination, null, get,
        get ? host(requester.peerAddress()) : null, AuditCodes.DESTINATION));
    if (!get) {
      participants.add(new Participant(requester.callingAeTitle(), null, true,
          host(requester.peerAddress()), null));
    }
    List<String> transferred = new ArrayList<>(a.completed());
    transferred.addAll(a.warning());
    List<String> attempted = new ArrayList<>(transferred);
    attempted.addAll(a.failed());
    Instant at = Instant.ofEpochMilli(event.at());
    String summary = String.format("%s status %s: %d completed, %d warning, %d failed%s",
        a.how(), a.status(), a.completed().size(), a.warning().size(), a.failed().size(),
        a.cancelled() ? ", cancelled" : "");

    List<AuditMessage> out = new ArrayList<>();
    if (!attempted.isEmpty() || isSuccess(a)) { // a refused retrieve (e.g. A801) began nothing
      out.add(new AuditMessage(AuditCodes.BEGIN_TRANSFERRING, "E",
          Instant.ofEpochMilli(a.requestedAt()), AuditMessage.SUCCESS, null, participants, source,
          objects(studyUid, state, attempted)));
    }
    // PS3.15 §A.5.2: no message with mixed results; the instances sent, then the ones not sent.
    boolean failedPart = !a.failed().isEmpty() || (transferred.isEmpty() && !isSuccess(a));
    if (!transferred.isEmpty() || !failedPart) {
      out.add(new AuditMessage(AuditCodes.INSTANCES_TRANSFERRED, "R", at, AuditMessage.SUCCESS,
          failedPart || a.cancelled() || !a.warning().isEmpty() ? summary : null, participants,
          source, objects(studyUid, state, transferred)));
    }
    if (failedPart) {
      out.add(new AuditMessage(AuditCodes.INSTANCES_TRANSFERRED, "R", at, failureOutcome(a),
          summary + " (this message: the instances not sent)", participants, source,
          objects(studyUid, state, a.failed())));
    }
    return List.copyOf(out);
  }

  private static boolean isSuccess(Study.Access a) {
    // DIMSE status 0000, or the HTTP status of a DICOMweb retrieval.
    return ("0000".equals(a.status()) || "200".equals(a.status())) && !a.cancelled();
  }

  /**
   * The outcome of the instances not sent: 4 (minor) when a C-CANCEL stopped the retrieve
   * (FE00: they were not attempted), 8 (serious) when they failed.
   */
  static int failureOutcome(Study.Access a) {
    return a.cancelled() || "FE00".equalsIgnoreCase(a.status()) ? AuditMessage.MINOR_FAILURE
        : AuditMessage.SERIOUS_FAILURE;
  }

  private static List<ParticipantObject> objects(String studyUid, Study.State state,
      List<String> sopInstanceUids) {
    if (state == null) {
      return List.of(study(studyUid, List.of()));
    }
    Map<String, Integer> byClass = new TreeMap<>();
    for (String uid : sopInstanceUids) {
      Study.Instance instance = state.instances().get(uid);
      if (instance != null) {
        byClass.merge(instance.sopClassUid(), 1, Integer::sum);
      }
    }
    List<SopClass> classes = new ArrayList<>();
    byClass.forEach((uid, n) -> classes.add(new SopClass(uid, n)));
    return List.of(study(studyUid, classes), patient(state.patient()));
  }

  private static ParticipantObject study(String studyUid, List<SopClass> classes) {
    return new ParticipantObject(studyUid, AuditCodes.SYSTEM_OBJECT, AuditCodes.ROLE_REPORT,
        AuditCodes.STUDY_INSTANCE_UID, null, null, List.of(), classes);
  }

  /** The patient from indexed attributes; Patient ID is type 2 in most IODs, so it may be "". */
  private static ParticipantObject patient(Map<String, String> attributes) {
    return new ParticipantObject(attributes.getOrDefault("PatientID", ""), AuditCodes.PERSON,
        AuditCodes.ROLE_PATIENT, AuditCodes.PATIENT_NUMBER, attributes.get("PatientName"), null,
        List.of(), List.of());
  }

  /** The host of a {@code host:port} peer address (IPv6 hosts keep their colons); null if none. */
  static String host(String peerAddress) {
    if (peerAddress == null || peerAddress.isEmpty()) {
      return null;
    }
    String a = peerAddress.startsWith("/") ? peerAddress.substring(1) : peerAddress;
    int colon = a.lastIndexOf(':');
    String host = colon > 0 && a.substring(colon + 1).matches("[0-9]{1,5}") ? a.substring(0, colon)
        : a;
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return host.isEmpty() ? null : host;
  }
}
