// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Encodes and decodes the PDUs of PS3.8 §9.3. Multi-byte fields are big endian (PS3.8 §9.3.1);
 * every length read is checked against what remains before anything is allocated. Items of
 * unrecognized types are skipped (PS3.8 §9.3.1: "items of unrecognized types shall be ignored").
 * Internal API.
 */
public final class PduCodec {
  private PduCodec() {}

  private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
  static final int ITEM_APPLICATION_CONTEXT = 0x10;
  static final int ITEM_PRESENTATION_CONTEXT_RQ = 0x20;
  static final int ITEM_PRESENTATION_CONTEXT_AC = 0x21;
  static final int ITEM_ABSTRACT_SYNTAX = 0x30;
  static final int ITEM_TRANSFER_SYNTAX = 0x40;
  static final int ITEM_USER_INFORMATION = 0x50;
  static final int SUB_MAXIMUM_LENGTH = 0x51;
  static final int SUB_IMPLEMENTATION_CLASS_UID = 0x52;
  static final int SUB_ASYNCHRONOUS_OPERATIONS_WINDOW = 0x53;
  static final int SUB_ROLE_SELECTION = 0x54;
  static final int SUB_IMPLEMENTATION_VERSION_NAME = 0x55;
  /** Fixed part of A-ASSOCIATE-RQ/AC after the header: version, reserved, 2 AE titles, reserved. */
  static final int ASSOCIATE_FIXED_LENGTH = 68;

  // ---------------------------------------------------------------- encode

  /** The PDU with its 6-byte header. */
  public static ByteString encode(Pdu pdu) {
    ByteStringBuilder body = new ByteStringBuilder();
    PduType type;
    if (pdu instanceof AAssociateRq rq) {
      type = PduType.A_ASSOCIATE_RQ;
      associateFixed(body, rq.protocolVersion(), rq.calledAeTitle(), rq.callingAeTitle());
      item(body, ITEM_APPLICATION_CONTEXT, ascii(rq.applicationContextName()));
      for (PresentationContextRq pc : rq.presentationContexts()) {
        ByteStringBuilder b = new ByteStringBuilder();
        b.putByte((byte) pc.id()).putByte((byte) 0).putByte((byte) 0).putByte((byte) 0);
        item(b, ITEM_ABSTRACT_SYNTAX, ascii(pc.abstractSyntax()));
        for (String ts : pc.transferSyntaxes()) {
          item(b, ITEM_TRANSFER_SYNTAX, ascii(ts));
        }
        item(body, ITEM_PRESENTATION_CONTEXT_RQ, b.result());
      }
      item(body, ITEM_USER_INFORMATION, userInformation(rq.userInformation()));
    } else if (pdu instanceof AAssociateAc ac) {
      type = PduType.A_ASSOCIATE_AC;
      associateFixed(body, ac.protocolVersion(), ac.calledAeTitle(), ac.callingAeTitle());
      item(body, ITEM_APPLICATION_CONTEXT, ascii(ac.applicationContextName()));
      for (PresentationContextAc pc : ac.presentationContexts()) {
        ByteStringBuilder b = new ByteStringBuilder();
        b.putByte((byte) pc.id()).putByte((byte) 0).putByte((byte) pc.result()).putByte((byte) 0);
        // PS3.8 §9.3.3.2: one transfer syntax sub-item; not significant when rejected
        item(b, ITEM_TRANSFER_SYNTAX,
            pc.transferSyntax() == null ? ByteString.emptyByteString() : ascii(pc.transferSyntax()));
        item(body, ITEM_PRESENTATION_CONTEXT_AC, b.result());
      }
      item(body, ITEM_USER_INFORMATION, userInformation(ac.userInformation()));
    } else if (pdu instanceof AAssociateRj rj) {
      type = PduType.A_ASSOCIATE_RJ;
      body.putByte((byte) 0).putByte((byte) rj.result()).putByte((byte) rj.source())
          .putByte((byte) rj.reason());
    } else if (pdu instanceof PDataTf data) {
      type = PduType.P_DATA_TF;
      for (PresentationDataValue pdv : data.values()) {
        body.putInt(2 + pdv.value().size(), BE);
        body.putByte((byte) pdv.presentationContextId());
        body.putByte((byte) pdv.messageControlHeader());
        body.append(pdv.value());
      }
    } else if (pdu instanceof AReleaseRq rq) {
      type = PduType.A_RELEASE_RQ;
      body.putInt(0, BE);
    } else if (pdu instanceof AReleaseRp rp) {
      type = PduType.A_RELEASE_RP;
      body.putInt(0, BE);
    } else if (pdu instanceof AAbort abort) {
      type = PduType.A_ABORT;
      body.putByte((byte) 0).putByte((byte) 0).putByte((byte) abort.source())
          .putByte((byte) abort.reason());
    } else if (pdu instanceof MalformedPdu m) {
      throw new IllegalArgumentException("not a wire PDU: " + m);
    } else {
      throw new IllegalArgumentException("not a wire PDU: " + pdu);
    }
    ByteString b = body.result();
    return new ByteStringBuilder().putByte((byte) type.code).putByte((byte) 0)
        .putInt(b.size(), BE).append(b).result();
  }

  private static void associateFixed(ByteStringBuilder b, int version, String called,
      String calling) {
    b.putShort(version, BE).putShort(0, BE);
    b.append(aeTitle(called)).append(aeTitle(calling));
    b.putBytes(new byte[32]);
  }

  private static ByteString userInformation(UserInformation ui) {
    ByteStringBuilder b = new ByteStringBuilder();
    item(b, SUB_MAXIMUM_LENGTH, new ByteStringBuilder().putInt((int) ui.maximumLength(), BE).result());
    item(b, SUB_IMPLEMENTATION_CLASS_UID, ascii(ui.implementationClassUid()));
    if (ui.maxOperationsInvoked() != null) {
      item(b, SUB_ASYNCHRONOUS_OPERATIONS_WINDOW, new ByteStringBuilder()
          .putShort(ui.maxOperationsInvoked(), BE).putShort(ui.maxOperationsPerformed(), BE)
          .result());
    }
    for (RoleSelection role : ui.roleSelections()) {
      ByteString uid = ascii(role.sopClassUid());
      item(b, SUB_ROLE_SELECTION, new ByteStringBuilder().putShort(uid.size(), BE).append(uid)
          .putByte((byte) role.scuRole()).putByte((byte) role.scpRole()).result());
    }
    if (ui.implementationVersionName() != null) {
      item(b, SUB_IMPLEMENTATION_VERSION_NAME, ascii(ui.implementationVersionName()));
    }
    return b.result();
  }

  private static void item(ByteStringBuilder b, int type, ByteString value) {
    b.putByte((byte) type).putByte((byte) 0).putShort(value.size(), BE).append(value);
  }

  private static ByteString ascii(String s) {
    return ByteString.fromString(s, StandardCharsets.US_ASCII);
  }

  /** 16 bytes, space padded (PS3.8 §9.3.2, Table 9-11). */
  static ByteString aeTitle(String title) {
    byte[] bytes = new byte[16];
    java.util.Arrays.fill(bytes, (byte) ' ');
    byte[] t = title.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(t, 0, bytes, 0, Math.min(16, t.length));
    return ByteString.fromArrayUnsafe(bytes);
  }

  // ---------------------------------------------------------------- decode

  /**
   * Decodes the body (the bytes after the 6-byte header) of a PDU of a known type.
   *
   * @throws PduException with the A-ABORT reason if the content is inconsistent
   */
  public static Pdu decode(PduType type, ByteString body) throws PduException {
    Reader r = new Reader(body);
    return switch (type) {
      case A_ASSOCIATE_RQ, A_ASSOCIATE_AC -> decodeAssociate(type, r);
      case A_ASSOCIATE_RJ -> {
        r.require(4, "A-ASSOCIATE-RJ length");
        r.skip(1);
        AAssociateRj rj = new AAssociateRj(r.u8(), r.u8(), r.u8());
        r.requireEnd("A-ASSOCIATE-RJ");
        yield rj;
      }
      case P_DATA_TF -> decodePData(r);
      case A_RELEASE_RQ -> {
        r.require(4, "A-RELEASE-RQ length");
        r.skip(4);
        r.requireEnd("A-RELEASE-RQ");
        yield new AReleaseRq();
      }
      case A_RELEASE_RP -> {
        r.require(4, "A-RELEASE-RP length");
        r.skip(4);
        r.requireEnd("A-RELEASE-RP");
        yield new AReleaseRp();
      }
      case A_ABORT -> {
        r.require(4, "A-ABORT length");
        r.skip(2);
        AAbort abort = new AAbort(r.u8(), r.u8());
        r.requireEnd("A-ABORT");
        yield abort;
      }
    };
  }

  private static Pdu decodePData(Reader r) throws PduException {
    List<PresentationDataValue> values = new ArrayList<>();
    while (r.remaining() > 0) {
      r.require(4, "PDV item length");
      long itemLength = r.u32();
      if (itemLength < 2 || itemLength > r.remaining()) {
        throw PduException.invalid("PDV item length " + itemLength + " with " + r.remaining()
            + " bytes left in P-DATA-TF");
      }
      int contextId = r.u8();
      int header = r.u8();
      if ((header & ~0x03) != 0) {
        throw PduException.invalid("message control header " + header + " has reserved bits set");
      }
      values.add(new PresentationDataValue(contextId, header, r.slice((int) itemLength - 2)));
    }
    if (values.isEmpty()) {
      throw PduException.invalid("P-DATA-TF without presentation data value");
    }
    return new PDataTf(values);
  }

  private static Pdu decodeAssociate(PduType type, Reader r) throws PduException {
    r.require(ASSOCIATE_FIXED_LENGTH, type + " fixed fields");
    int version = r.u16();
    r.skip(2);
    String called = r.string(16).trim();
    String calling = r.string(16).trim();
    r.skip(32);
    String applicationContext = null;
    List<PresentationContextRq> rqContexts = new ArrayList<>();
    List<PresentationContextAc> acContexts = new ArrayList<>();
    UserInformation userInformation = null;
    while (r.remaining() > 0) {
      r.require(4, "item header");
      int itemType = r.u8();
      r.skip(1);
      int length = r.u16();
      r.require(length, "item " + Integer.toHexString(itemType) + "h length " + length);
      Reader item = new Reader(r.slice(length));
      switch (itemType) {
        case ITEM_APPLICATION_CONTEXT -> applicationContext = item.uid(length);
        case ITEM_PRESENTATION_CONTEXT_RQ -> {
          if (type == PduType.A_ASSOCIATE_RQ) {
            rqContexts.add(decodePresentationContextRq(item));
          }
        }
        case ITEM_PRESENTATION_CONTEXT_AC -> {
          if (type == PduType.A_ASSOCIATE_AC) {
            acContexts.add(decodePresentationContextAc(item));
          }
        }
        case ITEM_USER_INFORMATION -> userInformation = decodeUserInformation(item);
        default -> { } // PS3.8 §9.3.1: ignore items of unrecognized types
      }
    }
    if (applicationContext == null) {
      throw new PduException(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE,
          type + " without application context item");
    }
    if (userInformation == null) {
      throw new PduException(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE,
          type + " without user information item");
    }
    return type == PduType.A_ASSOCIATE_RQ
        ? new AAssociateRq(version, called, calling, applicationContext, rqContexts, userInformation)
        : new AAssociateAc(version, called, calling, applicationContext, acContexts,
            userInformation);
  }

  private static PresentationContextRq decodePresentationContextRq(Reader r) throws PduException {
    r.require(4, "presentation context item");
    int id = r.u8();
    r.skip(3);
    String abstractSyntax = null;
    List<String> transferSyntaxes = new ArrayList<>();
    while (r.remaining() > 0) {
      r.require(4, "presentation context sub-item header");
      int subType = r.u8();
      r.skip(1);
      int length = r.u16();
      r.require(length, "presentation context sub-item length " + length);
      switch (subType) {
        case ITEM_ABSTRACT_SYNTAX -> {
          if (abstractSyntax != null) {
            throw PduException.invalid("presentation context " + id + " has two abstract syntaxes");
          }
          abstractSyntax = r.uid(length);
        }
        case ITEM_TRANSFER_SYNTAX -> transferSyntaxes.add(r.uid(length));
        default -> r.skip(length);
      }
    }
    if (abstractSyntax == null || transferSyntaxes.isEmpty()) {
      throw PduException.invalid("presentation context " + id
          + " lacks an abstract syntax or a transfer syntax");
    }
    return new PresentationContextRq(id, abstractSyntax, transferSyntaxes);
  }

  private static PresentationContextAc decodePresentationContextAc(Reader r) throws PduException {
    r.require(4, "presentation context item");
    int id = r.u8();
    r.skip(1);
    int result = r.u8();
    r.skip(1);
    String transferSyntax = null;
    while (r.remaining() > 0) {
      r.require(4, "presentation context sub-item header");
      int subType = r.u8();
      r.skip(1);
      int length = r.u16();
      r.require(length, "presentation context sub-item length " + length);
      if (subType == ITEM_TRANSFER_SYNTAX) {
        transferSyntax = r.uid(length);
      } else {
        r.skip(length);
      }
    }
    return new PresentationContextAc(id, result,
        transferSyntax == null || transferSyntax.isEmpty() ? null : transferSyntax);
  }

  private static UserInformation decodeUserInformation(Reader r) throws PduException {
    long maximumLength = 0;
    String implementationClassUid = null;
    String implementationVersionName = null;
    Integer invoked = null;
    Integer performed = null;
    List<RoleSelection> roles = new ArrayList<>();
    while (r.remaining() > 0) {
      r.require(4, "user information sub-item header");
      int subType = r.u8();
      r.skip(1);
      int length = r.u16();
      r.require(length, "user information sub-item " + Integer.toHexString(subType)
          + "h length " + length);
      Reader sub = new Reader(r.slice(length));
      switch (subType) {
        case SUB_MAXIMUM_LENGTH -> {
          sub.require(4, "maximum length sub-item");
          maximumLength = sub.u32();
        }
        case SUB_IMPLEMENTATION_CLASS_UID -> implementationClassUid = sub.uid(length);
        case SUB_IMPLEMENTATION_VERSION_NAME -> implementationVersionName = sub.string(length).trim();
        case SUB_ASYNCHRONOUS_OPERATIONS_WINDOW -> {
          sub.require(4, "asynchronous operations window sub-item");
          invoked = sub.u16();
          performed = sub.u16();
        }
        case SUB_ROLE_SELECTION -> {
          sub.require(2, "role selection sub-item");
          int uidLength = sub.u16();
          sub.require(uidLength + 2, "role selection UID length " + uidLength);
          String uid = sub.uid(uidLength);
          roles.add(new RoleSelection(uid, sub.u8(), sub.u8()));
        }
        default -> { } // unknown sub-items (56h, 57h, 58h user identity, ...) are skipped
      }
    }
    return new UserInformation(maximumLength, implementationClassUid, implementationVersionName,
        invoked, performed, roles);
  }

  /** Bounds-checked big-endian reader over a ByteString. */
  private static final class Reader {
    private final ByteString bytes;
    private int position;

    Reader(ByteString bytes) {
      this.bytes = bytes;
    }

    int remaining() {
      return bytes.size() - position;
    }

    void require(int n, String what) throws PduException {
      if (n < 0 || n > remaining()) {
        throw PduException.invalid(what + ": needs " + n + " bytes, " + remaining() + " remain");
      }
    }

    void requireEnd(String what) throws PduException {
      if (remaining() != 0) {
        throw PduException.invalid(what + ": " + remaining() + " unexpected trailing bytes");
      }
    }

    int u8() {
      return bytes.apply(position++) & 0xFF;
    }

    int u16() {
      return (u8() << 8) | u8();
    }

    long u32() {
      return ((long) u16() << 16) | u16();
    }

    void skip(int n) {
      position += n;
    }

    ByteString slice(int n) {
      ByteString s = bytes.slice(position, position + n);
      position += n;
      return s;
    }

    String string(int n) {
      return slice(n).decodeString(StandardCharsets.US_ASCII);
    }

    /** A UID, trailing NUL or space padding removed (PS3.8 §9.3.2.2 allows a trailing NUL). */
    String uid(int n) {
      String s = string(n);
      int end = s.length();
      while (end > 0 && (s.charAt(end - 1) == 0 || s.charAt(end - 1) == ' ')) {
        end--;
      }
      return s.substring(0, end);
    }
  }
}
