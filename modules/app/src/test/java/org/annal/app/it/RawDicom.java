// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A hand-rolled DICOM upper-layer peer (PS3.8 §9.3) for what DCMTK will not send: garbage,
 * truncated and oversized PDUs, P-DATA outside an association, a stalled peer, and the data set of
 * a damaged file as-is. Only what the tests need; no state machine of its own.
 */
final class RawDicom implements AutoCloseable {
  static final int A_ASSOCIATE_RQ = 0x01;
  static final int A_ASSOCIATE_AC = 0x02;
  static final int A_ASSOCIATE_RJ = 0x03;
  static final int P_DATA_TF = 0x04;
  static final int A_RELEASE_RQ = 0x05;
  static final int A_RELEASE_RP = 0x06;
  static final int A_ABORT = 0x07;
  static final String VERIFICATION = "1.2.840.10008.1.1";
  static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  /** A PDU as received: its type and its body (without the 6-byte header). */
  record Pdu(int type, byte[] body) {}

  /** How the node ended a connection we misbehaved on. */
  enum Ending {
    /** It sent an A-ABORT. */
    ABORTED,
    /** It sent an A-ASSOCIATE-RJ. */
    REJECTED,
    /** It closed the connection (FIN or RST) without a PDU. */
    CLOSED,
    /** It sent something else, then closed (the first PDU type is in the detail). */
    OTHER
  }

  record Observed(Ending ending, String detail, Duration after) {}

  RawDicom(int port) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
  }

  Socket socket() {
    return socket;
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Half-closes our side: the node then sees end of stream after what we sent. */
  void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /** Reads one PDU; fails with a timeout after {@code timeout}. Null at end of stream. */
  Pdu read(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    int type;
    try {
      type = in.read();
    } catch (SocketException reset) {
      return null;
    }
    if (type < 0) {
      return null;
    }
    in.readUnsignedByte();
    long length = in.readInt() & 0xFFFFFFFFL;
    if (length > 1 << 24) {
      throw new IOException("node sent a PDU of " + length + " bytes");
    }
    byte[] body = new byte[(int) length];
    in.readFully(body);
    return new Pdu(type, body);
  }

  /**
   * Waits until the node ends the connection, reading whatever it sends on the way (it may answer
   * with a PDU first, then close). Fails if the connection is still open at the deadline.
   */
  Observed awaitEnd(Duration timeout) throws IOException {
    long begin = System.nanoTime();
    long deadline = begin + timeout.toNanos();
    Ending ending = null;
    StringBuilder detail = new StringBuilder();
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new AssertionError("connection still open after " + timeout.toSeconds() + " s; received so far: " + detail);
      }
      Pdu pdu;
      try {
        pdu = read(Duration.ofMillis(left));
      } catch (SocketTimeoutException stillOpen) {
        throw new AssertionError("connection still open after " + timeout.toSeconds() + " s; received so far: " + detail);
      } catch (EOFException | SocketException cut) {
        pdu = null;
      }
      if (pdu == null) {
        Duration after = Duration.ofNanos(System.nanoTime() - begin);
        return new Observed(ending == null ? Ending.CLOSED : ending, detail.length() == 0 ? "closed" : detail.toString(), after);
      }
      detail.append(pduName(pdu.type())).append(' ').append(hex(pdu.body(), 16)).append("; ");
      if (ending == null) {
        ending = switch (pdu.type()) {
          case A_ABORT -> Ending.ABORTED;
          case A_ASSOCIATE_RJ -> Ending.REJECTED;
          default -> Ending.OTHER;
        };
      }
      if (pdu.type() == A_ABORT || pdu.type() == A_ASSOCIATE_RJ) {
        // PS3.8: after A-ABORT / A-ASSOCIATE-RJ the node closes; wait for that too.
        continue;
      }
    }
  }

  /** A-ASSOCIATE-RQ proposing {@code abstractSyntax} with {@code transferSyntaxes} as context 1 (and Verification as 3). */
  static byte[] associateRq(String calledAe, String callingAe, String abstractSyntax, List<String> transferSyntaxes) {
    ByteArrayOutputStream variable = new ByteArrayOutputStream();
    item(variable, 0x10, ascii(APPLICATION_CONTEXT));
    variable.writeBytes(presentationContext(1, abstractSyntax, transferSyntaxes));
    variable.writeBytes(presentationContext(3, VERIFICATION, List.of(Dcmtk.IMPLICIT_LE)));
    ByteArrayOutputStream user = new ByteArrayOutputStream();
    item(user, 0x51, ByteBuffer.allocate(4).putInt(16384).array());
    item(user, 0x52, ascii("2.25.1234567890"));
    item(variable, 0x50, user.toByteArray());
    ByteBuffer fixed = ByteBuffer.allocate(68);
    fixed.putShort((short) 1).putShort((short) 0);
    fixed.put(aeTitle(calledAe)).put(aeTitle(callingAe)).put(new byte[32]);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(fixed.array());
    body.writeBytes(variable.toByteArray());
    return pdu(A_ASSOCIATE_RQ, body.toByteArray());
  }

  private static byte[] presentationContext(int id, String abstractSyntax, List<String> transferSyntaxes) {
    ByteArrayOutputStream context = new ByteArrayOutputStream();
    context.write(id);
    context.writeBytes(new byte[3]);
    item(context, 0x30, ascii(abstractSyntax));
    for (String ts : transferSyntaxes) {
      item(context, 0x40, ascii(ts));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    item(out, 0x20, context.toByteArray());
    return out.toByteArray();
  }

  /**
   * Sends an A-ASSOCIATE-RQ and returns the id of the first accepted presentation context with its
   * transfer syntax ({@code pcid:uid}), or fails with what the node answered.
   */
  String associate(String abstractSyntax, List<String> transferSyntaxes) throws IOException {
    send(associateRq(AnnalNode.AE_TITLE, "RAWSCU", abstractSyntax, transferSyntaxes));
    Pdu answer = read(Duration.ofSeconds(30));
    if (answer == null || answer.type() != A_ASSOCIATE_AC) {
      throw new AssertionError("association not accepted: " + (answer == null ? "closed" : pduName(answer.type()) + " " + hex(answer.body(), 32)));
    }
    // Variable items start after the 68 fixed bytes; presentation context items are type 0x21.
    ByteBuffer body = ByteBuffer.wrap(answer.body());
    int position = 68;
    while (position + 4 <= body.limit()) {
      int type = body.get(position) & 0xFF;
      int length = body.getShort(position + 2) & 0xFFFF;
      if (type == 0x21) {
        int id = body.get(position + 4) & 0xFF;
        int result = body.get(position + 6) & 0xFF;
        if (result == 0 && id == 1) {
          int sub = position + 8;
          int subLength = body.getShort(sub + 2) & 0xFFFF;
          String ts = new String(answer.body(), sub + 4, subLength, StandardCharsets.US_ASCII).replace("\0", "").trim();
          return id + ":" + ts;
        }
      }
      position += 4 + length;
    }
    throw new AssertionError("presentation context 1 (" + abstractSyntax + ") not accepted");
  }

  /** A C-STORE-RQ command set (PS3.7 §9.3.1.1) in Implicit VR Little Endian. */
  static byte[] cStoreRq(int messageId, String sopClassUid, String sopInstanceUid) {
    ByteArrayOutputStream elements = new ByteArrayOutputStream();
    commandElement(elements, 0x0002, uid(sopClassUid));
    commandElement(elements, 0x0100, ushort(0x0001));
    commandElement(elements, 0x0110, ushort(messageId));
    commandElement(elements, 0x0700, ushort(0));
    commandElement(elements, 0x0800, ushort(0x0000));
    commandElement(elements, 0x1000, uid(sopInstanceUid));
    return withGroupLength(elements.toByteArray());
  }

  /** A C-ECHO-RQ command set (PS3.7 §9.3.5.1). */
  static byte[] cEchoRq(int messageId) {
    ByteArrayOutputStream elements = new ByteArrayOutputStream();
    commandElement(elements, 0x0002, uid(VERIFICATION));
    commandElement(elements, 0x0100, ushort(0x0030));
    commandElement(elements, 0x0110, ushort(messageId));
    commandElement(elements, 0x0800, ushort(0x0101));
    return withGroupLength(elements.toByteArray());
  }

  /** One P-DATA-TF with one PDV: {@code command} selects bit 0, {@code last} bit 1 of the header. */
  static byte[] pData(int contextId, boolean command, boolean last, byte[] fragment) {
    ByteBuffer pdv = ByteBuffer.allocate(6 + fragment.length);
    pdv.putInt(2 + fragment.length).put((byte) contextId).put((byte) ((command ? 1 : 0) | (last ? 2 : 0))).put(fragment);
    return pdu(P_DATA_TF, pdv.array());
  }

  /** Sends a whole message: the command in one PDV, the data set (if any) in PDVs of at most 16 KiB. */
  void sendMessage(int contextId, byte[] command, byte[] dataSet) throws IOException {
    send(pData(contextId, true, true, command));
    if (dataSet == null) {
      return;
    }
    int chunk = 16_000;
    for (int offset = 0; offset < dataSet.length || offset == 0; offset += chunk) {
      int end = Math.min(dataSet.length, offset + chunk);
      byte[] fragment = java.util.Arrays.copyOfRange(dataSet, offset, end);
      send(pData(contextId, false, end == dataSet.length, fragment));
      if (dataSet.length == 0) {
        break;
      }
    }
  }

  /**
   * Reads PDUs until a complete command set arrives and returns its Status (0000,0900), or -1 if
   * the node aborted or closed instead (the reason is in the exception message otherwise).
   */
  int awaitStatus(Duration timeout) throws IOException {
    ByteArrayOutputStream command = new ByteArrayOutputStream();
    while (true) {
      Pdu pdu = read(timeout);
      if (pdu == null || pdu.type() == A_ABORT) {
        return -1;
      }
      if (pdu.type() != P_DATA_TF) {
        throw new AssertionError("expected P-DATA-TF, got " + pduName(pdu.type()));
      }
      ByteBuffer body = ByteBuffer.wrap(pdu.body());
      while (body.remaining() >= 6) {
        int length = body.getInt();
        body.get(); // context id
        int header = body.get() & 0xFF;
        byte[] fragment = new byte[length - 2];
        body.get(fragment);
        if ((header & 1) == 1) {
          command.writeBytes(fragment);
          if ((header & 2) == 2) {
            return statusOf(command.toByteArray());
          }
        }
      }
    }
  }

  /** A-RELEASE-RQ, then waits for A-RELEASE-RP. */
  boolean release() throws IOException {
    send(pdu(A_RELEASE_RQ, new byte[4]));
    Pdu answer = read(Duration.ofSeconds(30));
    return answer != null && answer.type() == A_RELEASE_RP;
  }

  static byte[] abort() {
    return pdu(A_ABORT, new byte[4]);
  }

  private static int statusOf(byte[] command) {
    ByteBuffer buffer = ByteBuffer.wrap(command).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.remaining() >= 8) {
      int group = buffer.getShort() & 0xFFFF;
      int element = buffer.getShort() & 0xFFFF;
      int length = buffer.getInt();
      if (group == 0 && element == 0x0900) {
        return buffer.getShort(buffer.position()) & 0xFFFF;
      }
      buffer.position(buffer.position() + length);
    }
    throw new AssertionError("response command without a Status: " + hex(command, 64));
  }

  static byte[] pdu(int type, byte[] body) {
    ByteBuffer pdu = ByteBuffer.allocate(6 + body.length);
    pdu.put((byte) type).put((byte) 0).putInt(body.length).put(body);
    return pdu.array();
  }

  private static void item(ByteArrayOutputStream out, int type, byte[] value) {
    out.write(type);
    out.write(0);
    out.write((value.length >> 8) & 0xFF);
    out.write(value.length & 0xFF);
    out.writeBytes(value);
  }

  private static void commandElement(ByteArrayOutputStream out, int element, byte[] value) {
    ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    header.putShort((short) 0).putShort((short) element).putInt(value.length);
    out.writeBytes(header.array());
    out.writeBytes(value);
  }

  private static byte[] withGroupLength(byte[] elements) {
    ByteBuffer out = ByteBuffer.allocate(12 + elements.length).order(ByteOrder.LITTLE_ENDIAN);
    out.putShort((short) 0).putShort((short) 0).putInt(4).putInt(elements.length).put(elements);
    return out.array();
  }

  private static byte[] aeTitle(String title) {
    byte[] padded = "                ".getBytes(StandardCharsets.US_ASCII);
    byte[] raw = title.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(raw, 0, padded, 0, Math.min(16, raw.length));
    return padded;
  }

  private static byte[] ascii(String value) {
    return value.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] uid(String value) {
    byte[] raw = ascii(value);
    return raw.length % 2 == 0 ? raw : java.util.Arrays.copyOf(raw, raw.length + 1);
  }

  private static byte[] ushort(int value) {
    return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) value).array();
  }

  static String pduName(int type) {
    return switch (type) {
      case A_ASSOCIATE_RQ -> "A-ASSOCIATE-RQ";
      case A_ASSOCIATE_AC -> "A-ASSOCIATE-AC";
      case A_ASSOCIATE_RJ -> "A-ASSOCIATE-RJ";
      case P_DATA_TF -> "P-DATA-TF";
      case A_RELEASE_RQ -> "A-RELEASE-RQ";
      case A_RELEASE_RP -> "A-RELEASE-RP";
      case A_ABORT -> "A-ABORT";
      default -> String.format("PDU type 0x%02X", type);
    };
  }

  static String hex(byte[] bytes, int max) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(max, bytes.length); i++) {
      out.append(String.format("%02x", bytes[i]));
    }
    return bytes.length > max ? out + "…" : out.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
