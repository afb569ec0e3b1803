// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.audit;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.annal.archive.audit.AuditMessage.Code;
import org.annal.archive.audit.AuditMessage.Detail;
import org.annal.archive.audit.AuditMessage.Participant;
import org.annal.archive.audit.AuditMessage.ParticipantObject;
import org.annal.archive.audit.AuditMessage.SopClass;

/**
 * Writes {@link AuditMessage}s as XML in the form of PS3.15 §A.5.1 (elements in the schema's
 * order, no namespace, coded values as {@code csd-code}/{@code codeSystemName}/{@code
 * originalText}, binary values base64), UTF-8, with {@link XMLStreamWriter}: the writer escapes
 * every value, and characters XML 1.0 cannot carry at all (control characters a peer may put in a
 * patient name) become U+FFFD, so a hostile attribute value cannot break the document.
 *
 * <p>A file or HTTP answer holds several messages: they are wrapped in a root element {@value
 * #ROOT} (Annal's, not the standard's: PS3.15 defines one message per syslog record), whose
 * attributes say what the export covered. Each child is a complete {@code AuditMessage} that can be
 * cut out and sent to an audit record repository as it is.
 */
public final class AuditXml {
  /** The wrapper element of an export. */
  public static final String ROOT = "AuditMessages";

  private AuditXml() {}

  /**
   * An export document: {@code <AuditMessages attr..>} with one {@code AuditMessage} per message,
   * in list order.
   */
  public static byte[] document(Map<String, String> rootAttributes, List<AuditMessage> messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, rootAttributes, messages);
    return out.toByteArray();
  }

  /** As {@link #document}, onto {@code out} (not closed). */
  private static void write(OutputStream out, Map<String, String> rootAttributes,
      List<AuditMessage> messages) {
    try {
      XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
      w.writeStartDocument("UTF-8", "1.0");
      w.writeCharacters("\n");
      w.writeStartElement(ROOT);
      for (Map.Entry<String, String> a : rootAttributes.entrySet()) {
        attribute(w, a.getKey(), a.getValue());
      }
      for (AuditMessage m : messages) {
        w.writeCharacters("\n");
        message(w, m);
      }
      w.writeCharacters("\n");
      w.writeEndElement();
      w.writeCharacters("\n");
      w.writeEndDocument();
      w.flush();
      w.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("cannot write audit XML: " + e.getMessage(), e);
    }
  }

  /** One {@code AuditMessage} element (PS3.15 §A.5.1) at the writer's position. */
  private static void message(XMLStreamWriter w, AuditMessage m) throws XMLStreamException {
    w.writeStartElement("AuditMessage");

    w.writeStartElement("EventIdentification");
    attribute(w, "EventActionCode", m.actionCode());
    attribute(w, "EventDateTime", m.at().toString());
    attribute(w, "EventOutcomeIndicator", Integer.toString(m.outcome()));
    code(w, "EventID", m.eventId());
    if (m.outcomeDescription() != null) {
      w.writeStartElement("EventOutcomeDescription");
      w.writeCharacters(clean(m.outcomeDescription()));
      w.writeEndElement();
    }
    w.writeEndElement();

    for (Participant p : m.participants()) {
      w.writeStartElement("ActiveParticipant");
      attribute(w, "UserID", p.userId());
      if (p.alternativeUserId() != null) {
        attribute(w, "AlternativeUserID", p.alternativeUserId());
      }
      attribute(w, "UserIsRequestor", Boolean.toString(p.requestor()));
      if (p.networkAccessPoint() != null && !p.networkAccessPoint().isEmpty()) {
        attribute(w, "NetworkAccessPointID", p.networkAccessPoint());
        attribute(w, "NetworkAccessPointTypeCode", isIpAddress(p.networkAccessPoint()) ? "2" : "1");
      }
      if (p.role() != null) {
        code(w, "RoleIDCode", p.role());
      }
      w.writeEndElement();
    }

    w.writeStartElement("AuditSourceIdentification");
    if (m.source().enterpriseSiteId() != null) {
      attribute(w, "AuditEnterpriseSiteID", m.source().enterpriseSiteId());
    }
    attribute(w, "AuditSourceID", m.source().id());
    code(w, "AuditSourceTypeCode", AuditCodes.APPLICATION_SERVER);
    w.writeEndElement();

    for (ParticipantObject o : m.objects()) {
      w.writeStartElement("ParticipantObjectIdentification");
      attribute(w, "ParticipantObjectID", o.id());
      attribute(w, "ParticipantObjectTypeCode", Integer.toString(o.typeCode()));
      attribute(w, "ParticipantObjectTypeCodeRole", Integer.toString(o.typeCodeRole()));
      code(w, "ParticipantObjectIDTypeCode", o.idType());
      if (o.name() != null) {
        w.writeStartElement("ParticipantObjectName");
        w.writeCharacters(clean(o.name()));
        w.writeEndElement();
      } else if (o.query() != null) {
        w.writeStartElement("ParticipantObjectQuery");
        w.writeCharacters(Base64.getEncoder().encodeToString(o.query()));
        w.writeEndElement();
      }
      for (Detail d : o.details()) {
        w.writeEmptyElement("ParticipantObjectDetail");
        attribute(w, "type", d.type());
        attribute(w, "value", Base64.getEncoder().encodeToString(d.value()));
      }
      if (!o.sopClasses().isEmpty()) {
        w.writeStartElement("ParticipantObjectDescription");
        for (SopClass c : o.sopClasses()) {
          w.writeEmptyElement("SOPClass");
          attribute(w, "UID", c.uid());
          attribute(w, "NumberOfInstances", Integer.toString(c.numberOfInstances()));
        }
        w.writeEndElement();
      }
      w.writeEndElement();
    }
    w.writeEndElement();
  }

  private static void code(XMLStreamWriter w, String element, Code code)
      throws XMLStreamException {
    w.writeEmptyElement(element);
    attribute(w, "csd-code", code.code());
    attribute(w, "codeSystemName", code.system());
    attribute(w, "originalText", code.meaning());
  }

  private static void attribute(XMLStreamWriter w, String name, String value)
      throws XMLStreamException {
    w.writeAttribute(name, clean(value == null ? "" : value));
  }

  /** An IPv4 address in dotted form or an IPv6 address (a colon: host names have none). */
  static boolean isIpAddress(String host) {
    return host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || host.contains(":");
  }

  /** The text with every character XML 1.0 (§2.2 Char) does not allow replaced by U+FFFD. */
  static String clean(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
          || (c >= 0xE000 && c <= 0xFFFD);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        if (sb != null) {
          sb.append(c).append(s.charAt(i + 1));
        }
        i++;
        continue;
      }
      if (!ok && sb == null) {
        sb = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (sb != null) {
        sb.append(ok ? c : '\uFFFD');
      }
    }
    return sb == null ? s : sb.toString();
  }

  /** The UTF-8 bytes of a text value (ParticipantObjectDetail values are text made base64). */
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
