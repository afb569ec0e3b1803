// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.annal.app.cli.AuditExportCommand;
import org.annal.app.it.DcmtkQr.Find;
import org.annal.app.it.DcmtkQr.Retrieve;
import org.annal.app.it.QrData.Patient;
import org.annal.app.it.QrData.Study;
import org.annal.app.it.StorescuLog.Outcome;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import picocli.CommandLine;

/**
 * The audit export against one real node (embedded Cassandra) and DCMTK: storescu stores a study
 * of 2 CT and 1 MR instances, findscu queries it once, getscu retrieves it; then {@code GET
 * /api/audit} over the window, parsed with a DOCTYPE-refusing parser, must hold one DICOM
 * Instances Transferred (PS3.15 §A.5.3.4, action C) per stored instance naming storescu's AE as
 * Source and the node's as Destination, one Query (§A.5.3.10) for the find with its identifier,
 * and the C-GET as Begin Transferring (§A.5.3.3) plus Instances Transferred (action R) to the
 * getscu AE; a window before all that holds none of them; {@code limit} truncates; {@code annal
 * audit export --out} writes the same document.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditExportIT {
  static final String STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";
  static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
  static final String MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4";
  static final String FIND_AE = "AUDITFIND";
  static final String GET_AE = "AUDITGET";

  @AutoClose private AnnalNode node;
  private StudyApi api;
  private Study study;
  private Instant from;
  private Instant to;
  private Document export;

  @BeforeAll
  void storeFindGet() {
    for (String tool : List.of("storescu", "findscu", "getscu", "dcmdump")) {
      ExternalTool.assumeInstalled(tool);
    }
    node = new AnnalNode("AuditExportIT", List.of());
    QrData data = new QrData(node.workDir().resolve("input"));
    study = data.study(new Patient("AUD-P1", "AUDIT^ANNA", null, "F", "19700101"), "20260101",
        "090000", "AUDIT CT", QrData.series("CT", 2), QrData.series("MR", 1));
    node.start();
    api = new StudyApi(node.httpPort());
    from = Instant.now();

    ExternalTool.Run store = ExternalTool.run(node.workDir().resolve("storescu.log"),
        Duration.ofSeconds(120), Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of(),
            data.files().values()));
    assertEquals(3, StorescuLog.count(StorescuLog.parse(store.output()), Outcome.SUCCESS),
        store.describe());

    // C-GET reads the query index: wait until it has the study (these finds use another AE).
    int[] polls = {0};
    Await.until(Duration.ofSeconds(60), "the study indexed", () -> find("AUDITPOLL",
        "poll-" + ++polls[0]).responses().size() == 1, () -> node.tail(20));

    Find find = find(FIND_AE, "find");
    assertEquals(0, find.status(), find.describe());
    assertEquals(1, find.responses().size(), find.describe());

    Retrieve get = DcmtkQr.getscu(node.workDir().resolve("getscu.log"),
        node.workDir().resolve("got"), node.dicomPort(), DcmtkQr.STUDY_ROOT, GET_AE,
        List.of("QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + study.studyInstanceUid()));
    assertEquals(0, get.status(), get.describe());
    assertEquals(3, get.completed(), get.describe());
    to = Instant.now().plusSeconds(1);

    // The change feed lists an event once its eventual-consistency delay has passed.
    Await.until(Duration.ofSeconds(60), "the C-GET's access in the export",
        () -> messages(exportXml(from, to, 1000), "110104", "R").size() == 1,
        () -> api.get(exportPath(from, to, 1000)).body());
    export = parse(exportXml(from, to, 1000));
  }

  private Find find(String callingAe, String dir) {
    return DcmtkQr.findscu(node.workDir().resolve(dir), node.dicomPort(), DcmtkQr.STUDY_ROOT,
        callingAe, List.of("QueryRetrieveLevel=STUDY", "StudyInstanceUID="
            + study.studyInstanceUid(), "PatientName"), null);
  }

  static String exportPath(Instant from, Instant to, int limit) {
    return "/api/audit?from=" + from + "&to=" + to + "&limit=" + limit;
  }

  private String exportXml(Instant from, Instant to, int limit) {
    StudyApi.Response response = api.get(exportPath(from, to, limit));
    assertEquals(200, response.status(), response.body());
    return response.body();
  }

  static Document parse(String xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setExpandEntityReferences(false);
      return f.newDocumentBuilder().parse(new ByteArrayInputStream(
          xml.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError("not well-formed XML: " + e + "\n" + xml, e);
    }
  }

  static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  static Element only(Element parent, String name) {
    List<Element> found = children(parent, name);
    assertEquals(1, found.size(), name + " in " + parent.getTagName());
    return found.get(0);
  }

  /** The AuditMessages with that EventID csd-code and EventActionCode. */
  static List<Element> messages(Document doc, String eventId, String action) {
    List<Element> out = new ArrayList<>();
    for (Element m : children(doc.getDocumentElement(), "AuditMessage")) {
      Element event = only(m, "EventIdentification");
      if (only(event, "EventID").getAttribute("csd-code").equals(eventId)
          && event.getAttribute("EventActionCode").equals(action)) {
        out.add(m);
      }
    }
    return out;
  }

  private static List<Element> messages(String xml, String eventId, String action) {
    return messages(parse(xml), eventId, action);
  }

  /** The ActiveParticipant with that RoleIDCode (110153 Source, 110152 Destination). */
  static Element participant(Element message, String role) {
    List<Element> found = new ArrayList<>();
    for (Element p : children(message, "ActiveParticipant")) {
      for (Element r : children(p, "RoleIDCode")) {
        if (r.getAttribute("csd-code").equals(role) && r.getAttribute("codeSystemName").equals("DCM")) {
          found.add(p);
        }
      }
    }
    assertEquals(1, found.size(), "one ActiveParticipant with role " + role);
    return found.get(0);
  }

  static Element object(Element message, String idTypeCode) {
    List<Element> found = new ArrayList<>();
    for (Element o : children(message, "ParticipantObjectIdentification")) {
      if (only(o, "ParticipantObjectIDTypeCode").getAttribute("csd-code").equals(idTypeCode)) {
        found.add(o);
      }
    }
    assertEquals(1, found.size(), "one participant object of ID type " + idTypeCode);
    return found.get(0);
  }

  /** SOP Class UID → NumberOfInstances of a study object, summed over the messages. */
  static Map<String, Integer> sopClasses(List<Element> messages) {
    Map<String, Integer> out = new TreeMap<>();
    for (Element m : messages) {
      for (Element d : children(object(m, "110180"), "ParticipantObjectDescription")) {
        for (Element c : children(d, "SOPClass")) {
          out.merge(c.getAttribute("UID"), Integer.parseInt(c.getAttribute("NumberOfInstances")),
              Integer::sum);
        }
      }
    }
    return out;
  }

  @Test
  @Order(1)
  void oneInstancesTransferredPerStoredInstance() {
    List<Element> stored = messages(export, "110104", "C");
    assertEquals(3, stored.size());
    for (Element m : stored) {
      Element event = only(m, "EventIdentification");
      assertEquals("0", event.getAttribute("EventOutcomeIndicator"));
      Instant at = Instant.parse(event.getAttribute("EventDateTime"));
      assertTrue(!at.isBefore(from) && !at.isAfter(to), at + " in the window");
      Element source = participant(m, "110153");
      assertEquals("ITSCU", source.getAttribute("UserID"));
      assertEquals("true", source.getAttribute("UserIsRequestor"));
      assertEquals("127.0.0.1", source.getAttribute("NetworkAccessPointID"));
      assertEquals("2", source.getAttribute("NetworkAccessPointTypeCode"));
      Element destination = participant(m, "110152");
      assertEquals(AnnalNode.AE_TITLE, destination.getAttribute("UserID"));
      assertEquals("false", destination.getAttribute("UserIsRequestor"));
      assertTrue(!only(m, "AuditSourceIdentification").getAttribute("AuditSourceID").isEmpty());
      Element studyObject = object(m, "110180");
      assertEquals(study.studyInstanceUid(), studyObject.getAttribute("ParticipantObjectID"));
      assertEquals("2", studyObject.getAttribute("ParticipantObjectTypeCode"));
      assertEquals("3", studyObject.getAttribute("ParticipantObjectTypeCodeRole"));
      Element patient = object(m, "2");
      assertEquals("AUD-P1", patient.getAttribute("ParticipantObjectID"));
      assertEquals("1", patient.getAttribute("ParticipantObjectTypeCode"));
      assertEquals("1", patient.getAttribute("ParticipantObjectTypeCodeRole"));
      assertEquals("AUDIT^ANNA", only(patient, "ParticipantObjectName").getTextContent());
    }
    assertEquals(Map.of(CT_IMAGE_STORAGE, 2, MR_IMAGE_STORAGE, 1), sopClasses(stored));
  }

  @Test
  @Order(2)
  void oneQueryForTheFind() {
    List<Element> queries = messages(export, "110112", "E").stream()
        .filter(m -> participant(m, "110153").getAttribute("UserID").equals(FIND_AE)).toList();
    assertEquals(1, queries.size());
    Element m = queries.get(0);
    assertEquals("0", only(m, "EventIdentification").getAttribute("EventOutcomeIndicator"));
    assertEquals("true", participant(m, "110153").getAttribute("UserIsRequestor"));
    assertEquals("127.0.0.1", participant(m, "110153").getAttribute("NetworkAccessPointID"));
    assertEquals(AnnalNode.AE_TITLE, participant(m, "110152").getAttribute("UserID"));
    Element sop = object(m, "110181");
    assertEquals(STUDY_ROOT_FIND, sop.getAttribute("ParticipantObjectID"));
    assertEquals("2", sop.getAttribute("ParticipantObjectTypeCode"));
    assertEquals("3", sop.getAttribute("ParticipantObjectTypeCodeRole"));
    String identifier = new String(Base64.getDecoder().decode(
        only(sop, "ParticipantObjectQuery").getTextContent()), StandardCharsets.ISO_8859_1);
    assertTrue(identifier.contains(study.studyInstanceUid()) && identifier.contains("STUDY"),
        "the identifier as findscu sent it: " + identifier);
    Element detail = only(sop, "ParticipantObjectDetail");
    assertEquals("TransferSyntax", detail.getAttribute("type"));
    assertTrue(new String(Base64.getDecoder().decode(detail.getAttribute("value")),
        StandardCharsets.US_ASCII).startsWith("1.2.840.10008.1.2"), detail.getAttribute("value"));
  }

  @Test
  @Order(3)
  void theGetIsBeginTransferringAndInstancesTransferredToTheGetscuAe() {
    List<Element> begun = messages(export, "110102", "E");
    List<Element> sent = messages(export, "110104", "R");
    assertEquals(1, begun.size());
    assertEquals(1, sent.size());
    for (Element m : List.of(begun.get(0), sent.get(0))) {
      assertEquals(AnnalNode.AE_TITLE, participant(m, "110153").getAttribute("UserID"));
      Element destination = participant(m, "110152");
      assertEquals(GET_AE, destination.getAttribute("UserID"));
      assertEquals("true", destination.getAttribute("UserIsRequestor"), "C-GET: the requester");
      assertEquals("127.0.0.1", destination.getAttribute("NetworkAccessPointID"));
      assertEquals(study.studyInstanceUid(), object(m, "110180").getAttribute("ParticipantObjectID"));
      assertEquals("AUD-P1", object(m, "2").getAttribute("ParticipantObjectID"));
    }
    assertEquals("0", only(sent.get(0), "EventIdentification").getAttribute("EventOutcomeIndicator"));
    assertEquals(Map.of(CT_IMAGE_STORAGE, 2, MR_IMAGE_STORAGE, 1), sopClasses(sent));
    assertEquals(Map.of(CT_IMAGE_STORAGE, 2, MR_IMAGE_STORAGE, 1), sopClasses(begun));
  }

  @Test
  @Order(4)
  void theRootSaysWhatTheExportCovers() {
    Element root = export.getDocumentElement();
    assertEquals("AuditMessages", root.getTagName());
    assertEquals(from.toString(), root.getAttribute("from"));
    assertEquals(to.toString(), root.getAttribute("to"));
    assertEquals("false", root.getAttribute("truncated"));
    assertEquals(children(root, "AuditMessage").size(), Integer.parseInt(root.getAttribute("count")));

    Document two = parse(exportXml(from, to, 2));
    assertEquals("true", two.getDocumentElement().getAttribute("truncated"));
    assertEquals(2, children(two.getDocumentElement(), "AuditMessage").size());

    Document before = parse(exportXml(from.minusSeconds(3600), from.minusMillis(1), 1000));
    assertEquals(0, children(before.getDocumentElement(), "AuditMessage").size(),
        "nothing happened before the window");

    assertEquals(400, api.get("/api/audit?from=" + to + "&to=" + from).status());
    assertEquals(400, api.get("/api/audit?from=yesterday&to=" + to).status());
  }

  @Test
  @Order(5)
  void theCommandWritesTheSameDocument() throws Exception {
    Path out = node.workDir().resolve("audit-export.xml");
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new AuditExportCommand());
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("--from", from.toString(), "--to", to.toString(), "--out",
        out.toString(), "--http", "127.0.0.1:" + node.httpPort());
    assertEquals(0, code, err.toString());
    assertEquals(exportXml(from, to, 1000), Files.readString(out));
  }
}
