// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Reads audit XML back with a parser that refuses DOCTYPE (no entity expansion, no external
 * fetches), and checks the structure PS3.15 §A.5.1 requires of every {@code AuditMessage},
 * written out from the schema rather than taken from the code under test.
 */
final class AuditXmlParsing {
  private AuditXmlParsing() {}

  static Document parse(byte[] xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    f.setNamespaceAware(true);
    DocumentBuilder b = f.newDocumentBuilder();
    return b.parse(new ByteArrayInputStream(xml));
  }

  static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && (name == null || e.getTagName().equals(name))) {
        out.add(e);
      }
    }
    return out;
  }

  static Element only(Element parent, String name) {
    List<Element> found = children(parent, name);
    assertEquals(1, found.size(), "exactly one " + name + " in " + parent.getTagName());
    return found.get(0);
  }

  /** csd-code, codeSystemName and originalText of a coded element, as "code|system|meaning". */
  static String code(Element e) {
    for (String a : List.of("csd-code", "codeSystemName", "originalText")) {
      assertTrue(e.hasAttribute(a), e.getTagName() + " lacks " + a);
    }
    return e.getAttribute("csd-code") + "|" + e.getAttribute("codeSystemName") + "|"
        + e.getAttribute("originalText");
  }

  /**
   * The structure every AuditMessage must have (PS3.15 §A.5.1): children in order
   * EventIdentification, ActiveParticipant+, AuditSourceIdentification,
   * ParticipantObjectIdentification*; the mandatory attributes and coded values of each, and
   * enumerated values where the schema enumerates them.
   */
  static void assertA51(Element message) {
    assertEquals("AuditMessage", message.getTagName());
    assertTrue(message.getNamespaceURI() == null, "AuditMessage is in no namespace");
    List<Element> all = children(message, null);
    assertEquals("EventIdentification", all.get(0).getTagName());
    int i = 1;
    while (i < all.size() && all.get(i).getTagName().equals("ActiveParticipant")) {
      i++;
    }
    assertTrue(i > 1, "at least one ActiveParticipant");
    assertEquals("AuditSourceIdentification", all.get(i).getTagName());
    for (Element rest : all.subList(i + 1, all.size())) {
      assertEquals("ParticipantObjectIdentification", rest.getTagName());
    }

    Element event = all.get(0);
    assertTrue(Set.of("C", "R", "U", "D", "E").contains(event.getAttribute("EventActionCode")));
    assertTrue(event.getAttribute("EventDateTime")
        .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})"),
        event.getAttribute("EventDateTime"));
    assertTrue(Set.of("0", "4", "8", "12").contains(event.getAttribute("EventOutcomeIndicator")));
    assertTrue(code(only(event, "EventID")).endsWith("|DCM|" + only(event, "EventID")
        .getAttribute("originalText")));

    for (Element p : children(message, "ActiveParticipant")) {
      assertTrue(p.hasAttribute("UserID"), "ActiveParticipant UserID");
      assertTrue(Set.of("true", "false").contains(p.getAttribute("UserIsRequestor")));
      if (p.hasAttribute("NetworkAccessPointTypeCode")) {
        assertTrue(Set.of("1", "2", "3", "4", "5").contains(
            p.getAttribute("NetworkAccessPointTypeCode")));
        assertTrue(p.hasAttribute("NetworkAccessPointID"));
      }
      children(p, "RoleIDCode").forEach(AuditXmlParsing::code);
    }
    Element source = all.get(i);
    assertFalse(source.getAttribute("AuditSourceID").isEmpty(), "AuditSourceID");
    for (Element o : children(message, "ParticipantObjectIdentification")) {
      assertTrue(o.hasAttribute("ParticipantObjectID"));
      assertTrue(Set.of("1", "2", "3", "4").contains(o.getAttribute("ParticipantObjectTypeCode")));
      List<Element> parts = children(o, null);
      assertEquals("ParticipantObjectIDTypeCode", parts.get(0).getTagName());
      code(parts.get(0));
      assertTrue(children(o, "ParticipantObjectName").size()
          + children(o, "ParticipantObjectQuery").size() <= 1, "Name and Query are exclusive");
    }
  }
}
