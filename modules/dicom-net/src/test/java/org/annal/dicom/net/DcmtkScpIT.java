// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.annal.dicom.net.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DicomServer against DCMTK's echoscu and storescu (real peers, PS3.7/PS3.8 end to end). */
class DcmtkScpIT {
  static ActorSystem system;
  static DicomServerBinding binding;
  static FileHandler handler;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create("DcmtkScpIT");
    dir = Files.createTempDirectory("dcmtk-scp-it");
    handler = new FileHandler(dir);
    DicomServerSettings settings = DicomServerSettings.defaults().withBind("127.0.0.1", 0)
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(5));
    binding = DicomServer.bind(system, settings, handler).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (binding != null) {
      binding.drain().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    TestKit.shutdownActorSystem(system);
  }

  @BeforeEach
  void clear() {
    handler.received.clear();
  }

  String port() {
    return Integer.toString(binding.port());
  }

  @Test
  void echoscuGetsSuccess() throws Exception {
    ToolResult r = run("echoscu", "-aec", "ANNAL", "-aet", "ECHOER", "127.0.0.1", port());
    assertEquals(0, r.exitCode(), r.output());
    await("association closed", Duration.ofSeconds(5), () -> binding.activeAssociations() == 0);
  }

  @Test
  void echoscuWithWrongCalledAeIsRejected() throws Exception {
    ToolResult r = run("echoscu", "-v", "-aec", "NOTANNAL", "127.0.0.1", port());
    assertNotEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("Called AE Title Not Recognized"), r.output());
    await("association closed", Duration.ofSeconds(5), () -> binding.activeAssociations() == 0);
  }

  /**
   * storescu re-encodes what it reads (explicit lengths, no trailing padding), so the reference is
   * the file converted by dcmconv into the transfer syntax proposed; storescu then sends that
   * file's data set unchanged and we must store exactly those bytes.
   */
  @ParameterizedTest
  @CsvSource({
    "MR_small.dcm, +ti, -xi, 1.2.840.10008.1.2",
    "MR_small.dcm, +te, -xe, 1.2.840.10008.1.2.1",
    "MR_small.dcm, +tb, -xb, 1.2.840.10008.1.2.2",
    "MR_small.dcm, +te, -x=, 1.2.840.10008.1.2.1",
    "CT_small.dcm, +ti, -xi, 1.2.840.10008.1.2",
    "CT_small.dcm, +tb, -xb, 1.2.840.10008.1.2.2",
    "waveform_ecg.dcm, +te, -xe, 1.2.840.10008.1.2.1",
    "waveform_ecg.dcm, +tb, -xb, 1.2.840.10008.1.2.2",
    "rtplan.dcm, +ti, -xi, 1.2.840.10008.1.2",
    "test-SR.dcm, +tb, -xb, 1.2.840.10008.1.2.2",
    "liver_1frame.dcm, +te, -xe, 1.2.840.10008.1.2.1",
  })
  void storescuDataSetArrivesByteForByte(String file, String convert, String proposal,
      String expectedTs) throws Exception {
    Path reference = dir.resolve("ref-" + convert.substring(1) + "-" + file);
    ToolResult c = run("dcmconv", convert, "-p", "+e", TESTDATA.resolve(file).toString(),
        reference.toString());
    assertEquals(0, c.exitCode(), c.output());
    ToolResult r = run("storescu", "-R", proposal, "-aec", "ANNAL", "-aet", "MODALITY", "127.0.0.1",
        port(), reference.toString());
    assertEquals(0, r.exitCode(), r.output());
    await("one instance received", Duration.ofSeconds(10), () -> handler.received.size() == 1);
    Received received = handler.received.peek();
    assertEquals(expectedTs, received.transferSyntax());
    assertEquals("MODALITY", received.association().callingAeTitle());
    assertArrayEquals(dataSetBytes(reference), Files.readAllBytes(received.file()),
        "data set bytes of " + reference);
    await("association closed", Duration.ofSeconds(5), () -> binding.activeAssociations() == 0);
  }

  /** Compressed files are proposed in their own transfer syntax and stored as sent. */
  @ParameterizedTest
  @CsvSource({
    "JPEG-lossy.dcm, -xx, 1.2.840.10008.1.2.4.51",
    "MR_small_RLE.dcm, -xr, 1.2.840.10008.1.2.5",
    "JPEG2000.dcm, -xw, 1.2.840.10008.1.2.4.91",
    "MR_small_jpeg_ls_lossless.dcm, -xt, 1.2.840.10008.1.2.4.80",
    "image_dfl.dcm, -xd, 1.2.840.10008.1.2.1.99",
  })
  void compressedDataSetsAreStoredAsReceived(String file, String proposal, String expectedTs)
      throws Exception {
    Path source = dir.resolve("ref-same-" + file);
    ToolResult c = run("dcmconv", "+t=", "-p", "+e", TESTDATA.resolve(file).toString(),
        source.toString());
    assertEquals(0, c.exitCode(), c.output());
    ToolResult r = run("storescu", "-R", proposal, "-aec", "ANNAL", "127.0.0.1", port(),
        source.toString());
    assertEquals(0, r.exitCode(), r.output());
    await("one instance received", Duration.ofSeconds(10), () -> handler.received.size() == 1);
    Received received = handler.received.peek();
    assertEquals(expectedTs, received.transferSyntax());
    byte[] expected = dataSetBytes(source);
    byte[] actual = Files.readAllBytes(received.file());
    if (expectedTs.equals("1.2.840.10008.1.2.1.99")) {
      // storescu deflates again and pads the stream to even length (PS3.5 A.5): compare content
      expected = inflate(expected);
      actual = inflate(actual);
    }
    assertArrayEquals(expected, actual, "data set bytes of " + file);
  }


  /** Rejected contexts (result 3) are understood by DCMTK: it says so, no parse error. */
  @Test
  void storescuToAServerThatAcceptsOnlyVerification() throws Exception {
    DicomServerBinding echoOnly = DicomServer.bind(system, DicomServerSettings.defaults()
        .withBind("127.0.0.1", 0).withAcceptedSyntaxes(java.util.Set.of("verification"),
            java.util.Set.of("standard")), handler).toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      ToolResult r = run("storescu", "-aec", "ANNAL", "127.0.0.1",
          Integer.toString(echoOnly.port()), TESTDATA.resolve("CT_small.dcm").toString());
      assertNotEquals(0, r.exitCode());
      assertTrue(r.output().contains("No presentation context")
          || r.output().contains("No Acceptable Presentation Contexts"), r.output());
      assertTrue(handler.received.isEmpty());
      assertEquals(0, run("echoscu", "-aec", "ANNAL", "127.0.0.1",
          Integer.toString(echoOnly.port())).exitCode());
    } finally {
      echoOnly.drain().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static byte[] inflate(byte[] deflated) throws java.util.zip.DataFormatException {
    java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
    inflater.setInput(deflated);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    while (!inflater.finished()) {
      int n = inflater.inflate(buffer);
      if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
        break;
      }
      out.write(buffer, 0, n);
    }
    inflater.end();
    return out.toByteArray();
  }
}
