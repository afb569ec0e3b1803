// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.audit;

import static org.annal.archive.audit.AuditXmlParsing.code;
import static org.annal.archive.audit.AuditXmlParsing.only;
import static org.annal.archive.audit.StudyAuditTest.participant;
import static org.annal.archive.audit.StudyAuditTest.render;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** A C-FIND → PS3.15 §A.5.3.10 Query, written and parsed back. */
class QueryAuditTest {
  static final String STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";
  static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
  /** (0008,0052) CS "STUDY" and (0010,0020) LO "" in Explicit VR Little Endian (PS3.5 §7.1.2). */
  static final byte[] IDENTIFIER = {0x08, 0x00, 0x52, 0x00, 'C', 'S', 0x06, 0x00,
      'S', 'T', 'U', 'D', 'Y', ' ', 0x10, 0x00, 0x20, 0x00, 'L', 'O', 0x00, 0x00};

  @Test
  void cFindIsQueryExecute() throws Exception {
    QueryAudit.Query q = new QueryAudit.Query(Instant.parse("2026-11-30T10:00:00.250Z"),
        "FINDSCU", "ANNAL", "127.0.0.1:51000", STUDY_ROOT_FIND, EXPLICIT_LE, IDENTIFIER,
        "QueryRetrieveLevel=STUDY PatientID=", "completed", "node-a", "site-1");
    Element m = render(List.of(QueryAudit.message(q))).get(0);

    Element event = only(m, "EventIdentification");
    assertEquals("110112|DCM|Query", code(only(event, "EventID")));
    assertEquals("E", event.getAttribute("EventActionCode"));
    assertEquals("0", event.getAttribute("EventOutcomeIndicator"));
    assertEquals("2026-11-30T10:00:00.250Z", event.getAttribute("EventDateTime"));

    Element source = participant(m, "110153");
    assertEquals("FINDSCU", source.getAttribute("UserID"));
    assertEquals("true", source.getAttribute("UserIsRequestor"));
    assertEquals("127.0.0.1", source.getAttribute("NetworkAccessPointID"));
    assertEquals("2", source.getAttribute("NetworkAccessPointTypeCode"));
    Element destination = participant(m, "110152");
    assertEquals("ANNAL", destination.getAttribute("UserID"));
    assertEquals("false", destination.getAttribute("UserIsRequestor"));
    assertEquals("node-a", only(m, "AuditSourceIdentification").getAttribute("AuditSourceID"));

    Element sop = only(m, "ParticipantObjectIdentification");
    assertEquals(STUDY_ROOT_FIND, sop.getAttribute("ParticipantObjectID"));
    assertEquals("2", sop.getAttribute("ParticipantObjectTypeCode"));
    assertEquals("3", sop.getAttribute("ParticipantObjectTypeCodeRole"));
    assertEquals("110181|DCM|SOP Class UID", code(only(sop, "ParticipantObjectIDTypeCode")));
    assertArrayEquals(IDENTIFIER, Base64.getDecoder().decode(
        only(sop, "ParticipantObjectQuery").getTextContent()));
    Element detail = only(sop, "ParticipantObjectDetail");
    assertEquals("TransferSyntax", detail.getAttribute("type"));
    assertEquals(EXPLICIT_LE, new String(Base64.getDecoder().decode(detail.getAttribute("value")),
        StandardCharsets.UTF_8));
  }

  @Test
  void anOldLogLineWithoutTheIdentifierCarriesTheKeysAndSaysSo() throws Exception {
    QueryAudit.Query q = new QueryAudit.Query(Instant.parse("2026-11-30T10:00:00Z"), "FINDSCU",
        "ANNAL", "127.0.0.1:51000", STUDY_ROOT_FIND, null, null, "PatientID=X", "status A700: "
            + "More than 10 matches: refine the query", "node-a", null);
    Element m = render(List.of(QueryAudit.message(q))).get(0);
    Element event = only(m, "EventIdentification");
    assertEquals("4", event.getAttribute("EventOutcomeIndicator"));
    assertTrue(only(event, "EventOutcomeDescription").getTextContent().contains("keys as text"));
    Element sop = only(m, "ParticipantObjectIdentification");
    assertEquals("PatientID=X", new String(Base64.getDecoder().decode(
        only(sop, "ParticipantObjectQuery").getTextContent()), StandardCharsets.UTF_8));
    assertTrue(AuditXmlParsing.children(sop, "ParticipantObjectDetail").isEmpty());
  }

  @Test
  void outcomes() {
    assertEquals(0, QueryAudit.outcome("completed"));
    assertEquals(4, QueryAudit.outcome("cancelled"));
    assertEquals(8, QueryAudit.outcome("status A900: Query/Retrieve Level missing"));
    assertEquals(8, QueryAudit.outcome("failed: java.lang.IllegalStateException"));
    assertEquals(8, QueryAudit.outcome(null));
  }
}
