// SPDX-License-Identifier: Apache-2.0
package org.annal.app.qr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.FileMetaInformation;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The data set of a stored blob, whole ({@code strip}) and streamed ({@code flow}) alike. */
class FileMetaStripperTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final ByteString DATA_SET = ByteString.fromString("data set bytes after the meta group");

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static ByteString blob() {
    byte[] meta = FileMetaInformation.of("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4",
        "1.2.840.10008.1.2.1", "MODALITY").encode();
    return ByteString.fromArray(meta).concat(DATA_SET);
  }

  @Test
  void wholeAndStreamedGiveTheDataSet() throws Exception {
    ByteString blob = blob();
    assertEquals(DATA_SET, FileMetaStripper.strip(blob));
    List<ByteString> chunks = new ArrayList<>();
    for (int i = 0; i < blob.size(); i += 7) {
      chunks.add(blob.slice(i, Math.min(blob.size(), i + 7)));
    }
    ByteString streamed = Source.from(chunks).via(FileMetaStripper.flow())
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(DATA_SET, streamed);
  }

  @Test
  void aBlobWithoutItsHeaderOrCutInsideItIsRefused() {
    assertThrows(IllegalStateException.class,
        () -> FileMetaStripper.strip(ByteString.fromString("x".repeat(300))));
    ByteString blob = blob();
    assertThrows(IllegalStateException.class, () -> FileMetaStripper.strip(blob.take(150)));
  }
}
