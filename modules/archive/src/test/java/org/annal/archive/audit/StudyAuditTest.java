// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.audit;

import static org.annal.archive.audit.AuditXmlParsing.assertA51;
import static org.annal.archive.audit.AuditXmlParsing.children;
import static org.annal.archive.audit.AuditXmlParsing.code;
import static org.annal.archive.audit.AuditXmlParsing.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.annal.archive.Placement;
import org.annal.archive.ReceivedInstance;
import org.annal.archive.Sender;
import org.annal.archive.Study;
import org.annal.archive.Study.DuplicateInstanceReceived.Resolution;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Study events → PS3.15 §A.5.3 messages, written and parsed back. */
class StudyAuditTest {
  static final String STUDY = "1.2.826.0.1.3680043.2.1125.1";
  static final String CT = "1.2.840.10008.5.1.4.1.1.2";
  static final String MR = "1.2.840.10008.5.1.4.1.1.4";
  static final long T0 = java.time.Instant.parse("2026-11-30T00:53:20Z").toEpochMilli();

  static ReceivedInstance instance(String sop, String sopClass, Sender from) {
    return new ReceivedInstance(STUDY, STUDY + ".1", sop, sopClass, "1.2.840.10008.1.2.1", 100,
        "a".repeat(64), "b".repeat(64), new Placement("node-a", "site-1", "hot", "k-" + sop), from,
        T0, Map.of("PatientID", "PID-7", "PatientName", "Doe^Jane", "Modality", "CT"));
  }

  static final Sender CT01 = new Sender("CT01", "ANNAL", "10.0.0.5:40001", "as-1", null);

  static List<Element> render(List<AuditMessage> messages) throws Exception {
    Map<String, String> root = new LinkedHashMap<>();
    root.put("count", Integer.toString(messages.size()));
    byte[] xml = AuditXml.document(root, messages);
    Document doc = AuditXmlParsing.parse(xml);
    Element top = doc.getDocumentElement();
    assertEquals(AuditXml.ROOT, top.getTagName());
    List<Element> out = children(top, "AuditMessage");
    assertEquals(messages.size(), out.size());
    out.forEach(AuditXmlParsing::assertA51);
    return out;
  }

  static Element participant(Element message, String roleCode) {
    List<Element> found = new ArrayList<>();
    for (Element p : children(message, "ActiveParticipant")) {
      for (Element r : children(p, "RoleIDCode")) {
        if (r.getAttribute("csd-code").equals(roleCode)) {
          found.add(p);
        }
      }
    }
    assertEquals(1, found.size(), "one participant with role " + roleCode);
    return found.get(0);
  }

  static Element object(Element message, String idTypeCode) {
    for (Element o : children(message, "ParticipantObjectIdentification")) {
      if (only(o, "ParticipantObjectIDTypeCode").getAttribute("csd-code").equals(idTypeCode)) {
        return o;
      }
    }
    throw new AssertionError("no participant object of ID type " + idTypeCode);
  }

  @Test
  void instanceStoredIsInstancesTransferredCreate() throws Exception {
    Study.InstanceStored stored =
        new Study.InstanceStored(instance("1.2.3.1", CT, CT01), "", "node-a", "site-1", T0 + 5);
    Element m = render(new StudyAudit().messages(STUDY, stored, null)).get(0);

    Element event = only(m, "EventIdentification");
    assertEquals("110104|DCM|DICOM Instances Transferred", code(only(event, "EventID")));
    assertEquals("C", event.getAttribute("EventActionCode"));
    assertEquals("0", event.getAttribute("EventOutcomeIndicator"));
    assertEquals("2026-11-30T00:53:20.005Z", event.getAttribute("EventDateTime"));

    Element source = participant(m, "110153");
    assertEquals("CT01", source.getAttribute("UserID"));
    assertEquals("true", source.getAttribute("UserIsRequestor"));
    assertEquals("10.0.0.5", source.getAttribute("NetworkAccessPointID"));
    assertEquals("2", source.getAttribute("NetworkAccessPointTypeCode"));
    assertEquals("110153|DCM|Source Role ID", code(only(source, "RoleIDCode")));
    Element destination = participant(m, "110152");
    assertEquals("ANNAL", destination.getAttribute("UserID"));
    assertEquals("node-a", destination.getAttribute("AlternativeUserID"));
    assertEquals("false", destination.getAttribute("UserIsRequestor"));

    Element auditSource = only(m, "AuditSourceIdentification");
    assertEquals("node-a", auditSource.getAttribute("AuditSourceID"));
    assertEquals("site-1", auditSource.getAttribute("AuditEnterpriseSiteID"));

    Element study = object(m, "110180");
    assertEquals(STUDY, study.getAttribute("ParticipantObjectID"));
    assertEquals("2", study.getAttribute("ParticipantObjectTypeCode"));
    assertEquals("3", study.getAttribute("ParticipantObjectTypeCodeRole"));
    assertEquals("110180|DCM|Study Instance UID", code(only(study, "ParticipantObjectIDTypeCode")));
    Element sopClass = only(only(study, "ParticipantObjectDescription"), "SOPClass");
    assertEquals(CT, sopClass.getAttribute("UID"));
    assertEquals("1", sopClass.getAttribute("NumberOfInstances"));

    Element patient = object(m, "2");
    assertEquals("PID-7", patient.getAttribute("ParticipantObjectID"));
    assertEquals("1", patient.getAttribute("ParticipantObjectTypeCode"));
    assertEquals("1", patient.getAttribute("ParticipantObjectTypeCodeRole"));
    assertEquals("2|RFC-3881|Patient Number", code(only(patient, "ParticipantObjectIDTypeCode")));
    assertEquals("Doe^Jane", only(patient, "ParticipantObjectName").getTextContent());
  }

  @Test
  void moveSubOperationNamesTheMoveOriginatorAsRequestor() throws Exception {
    Sender viaMove = new Sender("PACS2", "ANNAL", "pacs2.example.org:104", "as-2", "VIEWER");
    Element m = render(new StudyAudit().messages(STUDY, new Study.InstanceStored(
        instance("1.2.3.1", CT, viaMove), "", "node-a", "site-1", T0), null)).get(0);
    Element source = participant(m, "110153");
    assertEquals("false", source.getAttribute("UserIsRequestor"));
    assertEquals("pacs2.example.org", source.getAttribute("NetworkAccessPointID"));
    assertEquals("1", source.getAttribute("NetworkAccessPointTypeCode"));
    List<Element> requestors = children(m, "ActiveParticipant").stream()
        .filter(p -> p.getAttribute("UserIsRequestor").equals("true")).toList();
    assertEquals(1, requestors.size());
    assertEquals("VIEWER", requestors.get(0).getAttribute("UserID"));
  }

  @Test
  void duplicatesByResolution() throws Exception {
    StudyAudit audit = new StudyAudit();
    ReceivedInstance again = instance("1.2.3.1", CT, CT01);
    Element identical = render(audit.messages(STUDY, new Study.DuplicateInstanceReceived("1.2.3.1",
        Resolution.ACKNOWLEDGED_IDENTICAL, "b", "b", again, "h", "node-a", "site-1", T0), null))
        .get(0);
    assertEquals("R", only(identical, "EventIdentification").getAttribute("EventActionCode"));
    assertEquals("0", only(identical, "EventIdentification").getAttribute("EventOutcomeIndicator"));

    Element keptFirst = render(audit.messages(STUDY, new Study.DuplicateInstanceReceived("1.2.3.1",
        Resolution.KEPT_FIRST, "b", "c", again, "h", "node-a", "site-1", T0), null)).get(0);
    Element event = only(keptFirst, "EventIdentification");
    assertEquals("R", event.getAttribute("EventActionCode"));
    assertEquals("4", event.getAttribute("EventOutcomeIndicator"));
    assertTrue(only(event, "EventOutcomeDescription").getTextContent().contains("discarded"));

    // REPLACED says nothing itself; the InstanceStored after it is an update.
    assertTrue(audit.messages(STUDY, new Study.DuplicateInstanceReceived("1.2.3.1",
        Resolution.REPLACED, "b", "c", again, "h", "node-a", "site-1", T0), null).isEmpty());
    Element replaced = render(audit.messages(STUDY,
        new Study.InstanceStored(again, "h", "node-a", "site-1", T0), null)).get(0);
    assertEquals("U", only(replaced, "EventIdentification").getAttribute("EventActionCode"));
    Element next = render(audit.messages(STUDY,
        new Study.InstanceStored(instance("1.2.3.2", CT, CT01), "h", "node-a", "site-1", T0),
        null)).get(0);
    assertEquals("C", only(next, "EventIdentification").getAttribute("EventActionCode"));
  }

  static Study.State state() {
    Study.State s = Study.State.empty(STUDY);
    s = s.apply(new Study.InstanceStored(instance("1.2.3.1", CT, CT01), "", "n", "s", T0));
    s = s.apply(new Study.InstanceStored(instance("1.2.3.2", CT, CT01), s.headHash(), "n", "s", T0));
    return s.apply(new Study.InstanceStored(instance("1.2.3.3", MR, CT01), s.headHash(), "n", "s",
        T0));
  }

  @Test
  void cGetIsBeginTransferringAndInstancesTransferredRead() throws Exception {
    Sender viewer = new Sender("VIEWER", "ANNAL", "192.168.1.9:5000", "as-3", null);
    Study.Access access = new Study.Access("C-GET", viewer, "VIEWER", List.of(STUDY + ".1"),
        List.of("1.2.3.1", "1.2.3.3"), List.of(), List.of("1.2.3.2"), "B000", false, T0 + 100,
        "node-b");
    List<Element> ms = render(new StudyAudit().messages(STUDY,
        new Study.StudyAccessed(access, "h", "node-a", "site-1", T0 + 900), state()));
    assertEquals(3, ms.size(), "begin, the instances sent, the one that failed");

    Element begin = ms.get(0);
    Element event = only(begin, "EventIdentification");
    assertEquals("110102|DCM|Begin Transferring DICOM Instances", code(only(event, "EventID")));
    assertEquals("E", event.getAttribute("EventActionCode"));
    assertEquals("2026-11-30T00:53:20.100Z", event.getAttribute("EventDateTime"));
    assertEquals(List.of(CT + "=2", MR + "=1"), sopClasses(begin));

    Element done = ms.get(1);
    event = only(done, "EventIdentification");
    assertEquals("110104|DCM|DICOM Instances Transferred", code(only(event, "EventID")));
    assertEquals("R", event.getAttribute("EventActionCode"));
    assertEquals("0", event.getAttribute("EventOutcomeIndicator"), "these were sent");
    assertEquals("ANNAL", participant(done, "110153").getAttribute("UserID"));
    assertEquals("node-b", participant(done, "110153").getAttribute("AlternativeUserID"));
    Element destination = participant(done, "110152");
    assertEquals("VIEWER", destination.getAttribute("UserID"));
    assertEquals("true", destination.getAttribute("UserIsRequestor"));
    assertEquals("192.168.1.9", destination.getAttribute("NetworkAccessPointID"));
    assertEquals(2, children(done, "ActiveParticipant").size());
    assertEquals("node-b", only(done, "AuditSourceIdentification").getAttribute("AuditSourceID"));
    assertEquals(List.of(CT + "=1", MR + "=1"), sopClasses(done));
    assertEquals("PID-7", object(done, "2").getAttribute("ParticipantObjectID"));

    // PS3.15 §A.5.2: the failed part in a message of its own.
    Element failed = ms.get(2);
    event = only(failed, "EventIdentification");
    assertEquals("110104", only(event, "EventID").getAttribute("csd-code"));
    assertEquals("8", event.getAttribute("EventOutcomeIndicator"));
    assertTrue(only(event, "EventOutcomeDescription").getTextContent()
        .startsWith("C-GET status B000: 2 completed, 0 warning, 1 failed"));
    assertEquals(List.of(CT + "=1"), sopClasses(failed));
  }

  static List<String> sopClasses(Element message) {
    return children(only(object(message, "110180"), "ParticipantObjectDescription"), "SOPClass")
        .stream().map(c -> c.getAttribute("UID") + "=" + c.getAttribute("NumberOfInstances"))
        .toList();
  }

  @Test
  void wadoRetrievalSendsToTheHttpClient() throws Exception {
    Sender client = new Sender("WADO-RS", "ANNAL", "192.168.1.20:51000", "http-1", null);
    Study.Access access = new Study.Access("WADO-RS", client, null, List.of(STUDY + ".1"),
        List.of("1.2.3.1"), List.of(), List.of(), "200", false, T0, "node-a",
        "/dicom-web/studies/" + STUDY, "viewer/1.0");
    List<Element> ms = render(new StudyAudit().messages(STUDY,
        new Study.StudyAccessed(access, "h", "node-a", "site-1", T0 + 5), state()));
    assertEquals(2, ms.size(), "begin and the instances sent (HTTP 200 is a success)");
    Element done = ms.get(1);
    assertEquals("0", only(done, "EventIdentification").getAttribute("EventOutcomeIndicator"));
    Element destination = participant(done, "110152");
    assertEquals("192.168.1.20:51000", destination.getAttribute("UserID"));
    assertEquals("true", destination.getAttribute("UserIsRequestor"));
    assertEquals("192.168.1.20", destination.getAttribute("NetworkAccessPointID"));
    assertEquals(2, children(done, "ActiveParticipant").size());
  }

  @Test
  void cMoveNamesRequesterAndDestinationApart() throws Exception {
    Sender requester = new Sender("WORKSTATION", "ANNAL", "10.1.1.1:3000", "as-4", null);
    Study.Access access = new Study.Access("C-MOVE", requester, "QRDEST", List.of(),
        List.of("1.2.3.1"), List.of(), List.of(), "0000", false, T0, null);
    List<Element> ms = render(new StudyAudit().messages(STUDY,
        new Study.StudyAccessed(access, "h", "node-a", "site-1", T0 + 1), null));
    assertEquals(2, ms.size());
    Element done = ms.get(1);
    assertEquals("0", only(done, "EventIdentification").getAttribute("EventOutcomeIndicator"));
    Element destination = participant(done, "110152");
    assertEquals("QRDEST", destination.getAttribute("UserID"));
    assertEquals("false", destination.getAttribute("UserIsRequestor"));
    List<Element> requestors = children(done, "ActiveParticipant").stream()
        .filter(p -> p.getAttribute("UserIsRequestor").equals("true")).toList();
    assertEquals(1, requestors.size());
    assertEquals("WORKSTATION", requestors.get(0).getAttribute("UserID"));
    assertEquals("10.1.1.1", requestors.get(0).getAttribute("NetworkAccessPointID"));
    assertEquals("node-a", only(done, "AuditSourceIdentification").getAttribute("AuditSourceID"));
    // Without the study's state: the study only, no SOP Classes, no patient.
    assertEquals(1, children(done, "ParticipantObjectIdentification").size());
    assertTrue(children(object(done, "110180"), "ParticipantObjectDescription").isEmpty());
  }

  @Test
  void aCancelledOrRefusedRetrieve() throws Exception {
    Sender r = CT01;
    List<Element> cancelled = render(new StudyAudit().messages(STUDY, new Study.StudyAccessed(
        new Study.Access("C-GET", r, "X", List.of(), List.of("1.2.3.1"), List.of(),
            List.of("1.2.3.2"), "FE00", true, T0, null), "h", "n", "s", T0), state()));
    assertEquals(List.of("0", "0", "4"), outcomes(cancelled));
    // A801 (unknown Move Destination): nothing began; the one message is the failure.
    List<Element> refused = render(new StudyAudit().messages(STUDY, new Study.StudyAccessed(
        new Study.Access("C-MOVE", r, "NOWHERE", List.of(), List.of(), List.of(), List.of(),
            "A801", false, T0, null), "h", "n", "s", T0), state()));
    assertEquals(List.of("8"), outcomes(refused));
    assertEquals("110104", only(only(refused.get(0), "EventIdentification"), "EventID")
        .getAttribute("csd-code"));
    // Everything sent: one transferred message, success, no description needed.
    List<Element> ok = render(new StudyAudit().messages(STUDY, new Study.StudyAccessed(
        new Study.Access("C-GET", r, "X", List.of(), List.of("1.2.3.1"), List.of(), List.of(),
            "0000", false, T0, null), "h", "n", "s", T0), state()));
    assertEquals(List.of("0", "0"), outcomes(ok));
    assertTrue(children(only(ok.get(1), "EventIdentification"), "EventOutcomeDescription")
        .isEmpty());
  }

  static List<String> outcomes(List<Element> messages) {
    return messages.stream().map(m -> only(m, "EventIdentification")
        .getAttribute("EventOutcomeIndicator")).toList();
  }

  @Test
  void hostileTextCannotBreakTheDocument() throws Exception {
    Map<String, String> attrs = Map.of("PatientID", "\"><x/>&amp;", "PatientName",
        "Evil\u0001^<Name>]]>");
    ReceivedInstance in = new ReceivedInstance(STUDY, STUDY + ".1", "1.2.3.9", CT,
        "1.2.840.10008.1.2", 1, "a", "b", new Placement("n", "s", "t", "k"),
        new Sender("A&B", "AN<NAL", "h:1", "x", null), T0, attrs);
    Element m = render(new StudyAudit().messages(STUDY,
        new Study.InstanceStored(in, "", "n", "s", T0), null)).get(0);
    Element patient = object(m, "2");
    assertEquals("\"><x/>&amp;", patient.getAttribute("ParticipantObjectID"));
    assertEquals("Evil\uFFFD^<Name>]]>", only(patient, "ParticipantObjectName").getTextContent());
    assertEquals("A&B", participant(m, "110153").getAttribute("UserID"));
  }

  @Test
  void aDoctypeIsRefusedByTheTestParser() {
    byte[] xml = ("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>")
        .getBytes(StandardCharsets.UTF_8);
    assertThrows(Exception.class, () -> AuditXmlParsing.parse(xml));
  }

  @Test
  void hostOfAPeerAddress() {
    assertEquals("10.0.0.5", StudyAudit.host("10.0.0.5:104"));
    assertEquals("0:0:0:0:0:0:0:1", StudyAudit.host("0:0:0:0:0:0:0:1:4000"));
    assertEquals("10.0.0.5", StudyAudit.host("/10.0.0.5:104"));
    assertEquals("ct.example.org", StudyAudit.host("ct.example.org"));
    assertEquals(null, StudyAudit.host(""));
    assertFalse(AuditXml.isIpAddress("ct.example.org"));
    assertTrue(AuditXml.isIpAddress("::1"));
  }
}
