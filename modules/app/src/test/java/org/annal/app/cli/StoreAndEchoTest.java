// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import static org.annal.app.cli.AnnalRun.annal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.annal.app.impl.FileToSend;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.DicomServer;
import org.annal.dicom.net.DicomServerBinding;
import org.annal.dicom.net.DicomServerSettings;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.Status;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code annal store} and {@code annal echo} against a real DICOM listener (annal-dicom-net's
 * DicomServer on an ephemeral port) with a recording C-STORE handler: no archive, no Cassandra.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreAndEchoTest {
  private static final Path TESTDATA = Path.of("/work/shared/testdata/dicom");

  @TempDir Path temp;
  private ActorSystem<Void> system;
  private DicomServerBinding binding;
  /** Data set bytes received, by SOP Instance UID. */
  private final Map<String, byte[]> received = new ConcurrentHashMap<>();
  /** SOP Instance UIDs the handler answers with a warning / a failure. */
  private final Map<String, DimseStatus> answers = new ConcurrentHashMap<>();

  @BeforeAll
  void bind() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "store-test",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    CStoreHandler handler = (association, request, transferSyntax) ->
        Sink.<ByteString, ByteString>fold(ByteString.emptyByteString(), ByteString::concat)
            .mapMaterializedValue(done -> done.thenApply(bytes -> {
              received.put(request.affectedSopInstanceUid(), bytes.toArray());
              return answers.getOrDefault(request.affectedSopInstanceUid(), DimseStatus.SUCCESS);
            }));
    DicomServerSettings settings =
        DicomServerSettings.fromConfig(system.settings().config().getConfig("annal.dicom"))
            .withBind("127.0.0.1", 0).withAeTitle("TESTSCP");
    binding = DicomServer.bind(system, settings, handler).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  void unbind() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
  }

  @BeforeEach
  void reset() {
    received.clear();
    answers.clear();
  }

  private String port() {
    return Integer.toString(binding.port());
  }

  @Test
  void echoSucceedsAndPrintsTheRoundTrip() {
    AnnalRun r = annal("echo", "--port", port(), "--aec", "TESTSCP");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().matches("(?s)C-ECHO TESTSCP@localhost:\\d+: Success \\(0000\\), round trip [0-9.]+ ms.*"),
        r.out());
  }

  @Test
  void echoToAWrongAeTitleFails() {
    AnnalRun r = annal("echo", "--port", port(), "--aec", "NOBODY");
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("A-ASSOCIATE-RJ"), r.err());
  }

  @Test
  void storeSendsEachDataSetByteForByteAndSummarises() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(TESTDATA), "shared test data not here");
    Path dir = Files.createDirectories(temp.resolve("in/sub"));
    List<String> names = List.of("CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm",
        "MR_small_bigendian.dcm", "JPEG2000.dcm");
    for (String name : names) {
      Files.copy(TESTDATA.resolve(name), (name.startsWith("CT") ? temp.resolve("in") : dir).resolve(name));
    }
    Files.writeString(temp.resolve("in/readme.txt"), "not DICOM");
    // The MR files share a SOP Instance UID: each later one overwrites the recording; answer the
    // CT with a warning to see it counted apart.
    FileToSend ct = FileToSend.read(temp.resolve("in/CT_small.dcm"));
    answers.put(ct.sopInstanceUid(), DimseStatus.of(Status.COERCION_OF_DATA_ELEMENTS, "coerced"));

    AnnalRun r = annal("store", "--port", port(), "--aec", "TESTSCP", "--associations", "2",
        temp.resolve("in").toString());

    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().contains("skipping " + temp.resolve("in/readme.txt")), r.err());
    assertTrue(r.out().startsWith("sent 5, ok 4, warning 1, failed 0, "), r.out());
    byte[] file = Files.readAllBytes(ct.path());
    assertArrayEquals(Arrays.copyOfRange(file, (int) ct.datasetOffset(), file.length),
        received.get(ct.sopInstanceUid()), "CT data set as in the file, without its meta header");
  }

  @Test
  void aFailureStatusFailsTheRun() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(TESTDATA), "shared test data not here");
    Path ct = Files.copy(TESTDATA.resolve("CT_small.dcm"), temp.resolve("ct.dcm"));
    answers.put(FileToSend.read(ct).sopInstanceUid(),
        DimseStatus.of(Status.OUT_OF_RESOURCES, "disk full"));
    AnnalRun r = annal("store", "--port", port(), "--aec", "TESTSCP", ct.toString());
    assertEquals(1, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().startsWith("sent 1, ok 0, warning 0, failed 1, "), r.out());
    assertTrue(r.err().contains("status A700 disk full"), r.err());
  }

  @Test
  void noListenerMeansEveryFileFails() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(TESTDATA), "shared test data not here");
    Path ct = Files.copy(TESTDATA.resolve("CT_small.dcm"), temp.resolve("ct.dcm"));
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    AnnalRun r = annal("store", "--port", Integer.toString(closedPort), ct.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.out().startsWith("sent 1, ok 0, warning 0, failed 1, "), r.out());
    assertTrue(r.err().contains("not sent (no association)"), r.err());
  }

  @Test
  void nothingToSendIsAnError() throws Exception {
    Files.writeString(temp.resolve("a.txt"), "x");
    AnnalRun r = annal("store", "--port", port(), temp.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("no DICOM files to send"), r.err());
  }

}
