// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Random;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.junit.jupiter.api.Test;

/** Fragmentation honours the receiver's Maximum Length; reassembly gives the message back. */
class PDataFragmenterTest {

  @Test
  void propertyFragmentsFitAndReassemble() throws Exception {
    Random random = new Random(7);
    for (int round = 0; round < 500; round++) {
      long maxPduLength = random.nextBoolean() ? 7 + random.nextInt(100) : 4096 + random.nextInt(70000);
      byte[] message = new byte[random.nextInt(200_000)];
      random.nextBytes(message);
      boolean command = random.nextBoolean();
      int maxValue = PDataFragmenter.maxValueLength(maxPduLength, 16384);
      List<PDataTf> pdus = PDataFragmenter.fragment(5, command, ByteString.fromArray(message),
          maxValue);
      ByteStringBuilder reassembled = new ByteStringBuilder();
      for (int i = 0; i < pdus.size(); i++) {
        PDataTf pdu = pdus.get(i);
        ByteString wire = PduCodec.encode(pdu);
        assertTrue(wire.size() - 6 <= maxPduLength, "PDU-length within the peer's maximum");
        PDataTf decoded = (PDataTf) PduCodec.decode(PduType.P_DATA_TF, wire.drop(6));
        PresentationDataValue pdv = decoded.values().get(0);
        assertEquals(command, pdv.isCommand());
        assertEquals(i == pdus.size() - 1, pdv.isLast(), "only the last fragment has the last bit");
        assertEquals(5, pdv.presentationContextId());
        reassembled.append(pdv.value());
      }
      assertArrayEquals(message, reassembled.result().toArray(), "round " + round);
    }
  }

  @Test
  void zeroMaximumLengthMeansOurDefault() {
    assertEquals(16384 - 6, PDataFragmenter.maxValueLength(0, 16384));
  }

  @Test
  void emptyMessageIsOneLastFragment() {
    List<PDataTf> pdus = PDataFragmenter.fragment(1, false, ByteString.emptyByteString(), 100);
    assertEquals(1, pdus.size());
    assertTrue(pdus.get(0).values().get(0).isLast());
  }
}
