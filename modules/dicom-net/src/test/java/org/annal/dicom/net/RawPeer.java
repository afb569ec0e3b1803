// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import org.annal.dicom.Uid;
import org.annal.dicom.net.impl.AAssociateRq;
import org.annal.dicom.net.impl.Pdu;
import org.annal.dicom.net.impl.PduCodec;
import org.annal.dicom.net.impl.PduException;
import org.annal.dicom.net.impl.PduType;
import org.annal.dicom.net.impl.PresentationContextRq;
import org.annal.dicom.net.impl.UserInformation;
import org.apache.pekko.util.ByteString;

/** A hand-driven peer on a plain socket: sends whatever bytes a test wants, reads PDUs back. */
final class RawPeer implements AutoCloseable {
  final Socket socket;
  private final DataInputStream in;

  RawPeer(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
  }

  RawPeer send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  RawPeer send(Pdu pdu) throws IOException {
    return send(PduCodec.encode(pdu).toArray());
  }

  /** The next PDU, or null if the server closed the connection. */
  Pdu read() throws IOException {
    int type;
    try {
      type = in.read();
    } catch (java.net.SocketException e) {
      return null; // reset by peer counts as closed
    }
    if (type < 0) {
      return null;
    }
    byte[] header = new byte[5];
    in.readFully(header);
    int length = ((header[1] & 0xFF) << 24) | ((header[2] & 0xFF) << 16)
        | ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
    byte[] body = new byte[length];
    in.readFully(body);
    try {
      return PduCodec.decode(PduType.of(type), ByteString.fromArray(body));
    } catch (PduException e) {
      throw new IOException(e);
    }
  }

  /** Reads until the server closes; true if it did before the socket timeout. */
  boolean closedByServer() throws IOException {
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (EOFException | java.net.SocketException e) {
      return true;
    }
  }

  static AAssociateRq rq(String called, int version, List<PresentationContextRq> contexts) {
    return new AAssociateRq(version, called, "RAWPEER", Uid.DICOM_APPLICATION_CONTEXT, contexts,
        new UserInformation(16384, "1.2.3.4", "RAW", null, null, List.of()));
  }

  static AAssociateRq echoRq() {
    return rq("ANNAL", 1, List.of(new PresentationContextRq(1, Uid.VERIFICATION,
        List.of(Uid.IMPLICIT_VR_LITTLE_ENDIAN))));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
