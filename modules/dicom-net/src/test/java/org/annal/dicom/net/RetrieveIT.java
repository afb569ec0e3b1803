// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.annal.dicom.net.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * C-MOVE and C-GET SCP (PS3.4 C.4.2, C.4.3) driven by DCMTK movescu / getscu against in-memory
 * handlers; C-MOVE's destination is a DCMTK storescp the test starts, or our own listener.
 */
class RetrieveIT {
  static ActorSystem system;
  InMemoryQueryRetrieve qr;
  DicomServerBinding binding;
  int port;
  volatile Map<String, InetSocketAddress> destinations = Map.of();
  Path reference;
  List<Path> explicitFiles = new ArrayList<>();
  Path jpeg;

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create("RetrieveIT");
  }

  @AfterAll
  static void stopSystem() {
    TestKit.shutdownActorSystem(system);
  }

  @BeforeEach
  void bind(@TempDir Path dir) throws Exception {
    qr = new InMemoryQueryRetrieve();
    binding = bindQueryRetrieve(system, dir, qr, ae -> destinations.get(ae));
    port = binding.localAddress().getPort();
    // storescp/getscu drop Data Set Trailing Padding: stored items without it (as ScuIT does)
    reference = Files.createDirectory(dir.resolve("reference"));
    for (String name : List.of("CT_small.dcm", "MR_small.dcm")) {
      Path file = reference.resolve(name);
      ToolResult c = run("dcmconv", "+te", "-p", TESTDATA.resolve(name).toString(),
          file.toString());
      assertEquals(0, c.exitCode(), c.output());
      explicitFiles.add(file);
    }
    jpeg = TESTDATA.resolve("JPEG-lossy.dcm");
  }

  @AfterEach
  void unbind() throws Exception {
    binding.drain(Duration.ofSeconds(5)).toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(0, binding.activeAssociations());
  }

  static List<Path> received(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().endsWith(".log")
          && Files.isRegularFile(p)).sorted().toList();
    }
  }

  /** Received files keyed by SOP Instance UID → their data set bytes. */
  static Map<String, byte[]> bySopInstance(List<Path> files) throws Exception {
    Map<String, byte[]> map = new java.util.HashMap<>();
    for (Path f : files) {
      map.put(dcmdumpValue(f, "0008,0018"), dataSetBytes(f));
    }
    return map;
  }

  Process storescp(Path dir, int storePort) throws Exception {
    Process p = new ProcessBuilder("storescp", "-B", "-aet", "STORESCP", "-od", dir.toString(),
        Integer.toString(storePort)).redirectErrorStream(true)
        .redirectOutput(dir.resolve("storescp.log").toFile()).start();
    awaitListening(storePort);
    return p;
  }

  // ------------------------------------------------------------------ C-MOVE

  @Test
  void movescuToStorescpSendsBytesAsStoredAndFailsOnlyTheJpegItem(@TempDir Path dest)
      throws Exception {
    qr.items = List.of(InMemoryQueryRetrieve.fileItem(explicitFiles.get(0)),
        InMemoryQueryRetrieve.fileItem(jpeg),
        InMemoryQueryRetrieve.fileItem(explicitFiles.get(1)));
    moveToStorescp(dest, (r, report) -> {
      assertEquals(RetrieveKind.MOVE, report.kind());
      assertEquals("STORESCP", report.destinationAeTitle());
      assertEquals(2, report.completed().size(), r.output());
      assertEquals(List.of(StoreScu.inspect(jpeg).sopInstanceUid()), report.failed());
      assertEquals(0xB000, report.finalStatus().code());
      assertFalse(report.cancelled());
      assertTrue(r.output().contains("Warning") || r.output().contains("0xb000"), r.output());
      await("storescp wrote 2 files", Duration.ofSeconds(10),
          () -> uncheckedCount(dest) == 2);
      Map<String, byte[]> got = bySopInstance(received(dest));
      for (Path f : explicitFiles) {
        assertArrayEquals(dataSetBytes(f), got.get(StoreScu.inspect(f).sopInstanceUid()),
            f.toString());
      }
    });
  }

  /** Checks a C-MOVE: movescu's result and the retrieve's report. */
  @FunctionalInterface
  interface MoveCheck {
    void check(ToolResult movescu, RetrieveReport report) throws Exception;
  }

  /**
   * Moves study 1.2.3 with movescu to a storescp started on a free port as Move Destination
   * "STORESCP" (default: uncompressed syntaxes only; files into {@code dest}), awaits the
   * retrieve's report and checks it while storescp still runs; then stops storescp.
   */
  private void moveToStorescp(Path dest, MoveCheck check) throws Exception {
    int storePort = freePort();
    destinations = Map.of("STORESCP", new InetSocketAddress("127.0.0.1", storePort));
    Process storescp = storescp(dest, storePort);
    try {
      ToolResult r = run("movescu", "-S", "-v", "-aec", "ANNAL", "-aem", "STORESCP",
          "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3",
          "127.0.0.1", Integer.toString(port));
      await("report", Duration.ofSeconds(10), () -> !qr.reports.isEmpty());
      check.check(r, qr.reports.poll());
    } finally {
      storescp.destroy();
      storescp.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static int uncheckedCount(Path dir) {
    try {
      return received(dir).size();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void unknownMoveDestinationIsA801() throws Exception {
    qr.items = List.of(InMemoryQueryRetrieve.fileItem(explicitFiles.get(0)));
    ToolResult r = run("movescu", "-S", "-d", "-aec", "ANNAL", "-aem", "NOWHERE",
        "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3",
        "127.0.0.1", Integer.toString(port));
    assertTrue(r.output().contains("0xa801"), r.output());
    await("report", Duration.ofSeconds(10), () -> !qr.reports.isEmpty());
    assertEquals(0xA801, qr.reports.poll().finalStatus().code());
  }

  @Test
  void nothingToMoveIsSuccessWithZeroCounts() throws Exception {
    // a destination that does not listen: associating with it would fail the move
    destinations = Map.of("STORESCP", new InetSocketAddress("127.0.0.1", freePort()));
    ToolResult r = run("movescu", "-S", "-d", "-aec", "ANNAL", "-aem", "STORESCP",
        "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=9.9.9",
        "127.0.0.1", Integer.toString(port));
    await("report", Duration.ofSeconds(10), () -> !qr.reports.isEmpty());
    RetrieveReport report = qr.reports.poll();
    assertEquals(DimseStatus.SUCCESS, report.finalStatus(), r.output());
    assertTrue(report.completed().isEmpty() && report.failed().isEmpty());
    assertTrue(r.output().contains("0x0000: Success"), r.output());
  }

  @Test
  void destinationKilledMidMoveCountsFailuresAndDoesNotHang(@TempDir Path dir) throws Exception {
    List<RetrieveItem> items = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      items.add(InMemoryQueryRetrieve.fileItem(explicitFiles.get(i % 2)));
    }
    qr.items = items;
    // The destination: our own listener whose second C-STORE kills every connection it holds.
    AtomicInteger stores = new AtomicInteger();
    DicomServerBinding[] dest = new DicomServerBinding[1];
    CStoreHandler killer = (association, request, ts) -> {
      if (stores.incrementAndGet() == 2) {
        dest[0].drain(Duration.ZERO);
        return Sink.<ByteString>ignore().mapMaterializedValue(
            done -> new CompletableFuture<DimseStatus>()); // never answers
      }
      return Sink.<ByteString>ignore().mapMaterializedValue(
          done -> done.thenApply(d -> DimseStatus.SUCCESS));
    };
    dest[0] = DicomServer.bind(system, DicomServerSettings.defaults().withAeTitle("DEST")
        .withBind("127.0.0.1", 0), killer).toCompletableFuture().get(10, TimeUnit.SECONDS);
    destinations = Map.of("DEST", dest[0].localAddress());
    ToolResult r = run("movescu", "-S", "-v", "-aec", "ANNAL", "-aem", "DEST",
        "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3",
        "127.0.0.1", Integer.toString(port));
    await("report", Duration.ofSeconds(20), () -> !qr.reports.isEmpty());
    RetrieveReport report = qr.reports.poll();
    assertEquals(1, report.completed().size(), r.output());
    assertEquals(3, report.failed().size(), r.output());
    assertEquals(0xB000, report.finalStatus().code());
  }

  @Test
  void implicitBigEndianAndDeflatedItemsAreConvertedForAnExplicitLittleEndianOnlyPeer(
      @TempDir Path dir) throws Exception {
    List<String> names = List.of("MR_small_implicit.dcm", "MR_small_bigendian.dcm",
        "image_dfl.dcm");
    List<RetrieveItem> items = new ArrayList<>();
    for (String name : names) {
      items.add(InMemoryQueryRetrieve.fileItem(TESTDATA.resolve(name)));
    }
    qr.items = items;
    TestSupport.FileHandler store = new TestSupport.FileHandler(dir);
    DicomServerBinding dest = DicomServer.bind(system, DicomServerSettings.defaults()
        .withAeTitle("DEST").withBind("127.0.0.1", 0)
        .withAcceptedSyntaxes(java.util.Set.of("storage"),
            java.util.Set.of(org.annal.dicom.Uid.EXPLICIT_VR_LITTLE_ENDIAN)), store)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      destinations = Map.of("DEST", dest.localAddress());
      ToolResult r = run("movescu", "-S", "-v", "-aec", "ANNAL", "-aem", "DEST",
          "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3",
          "127.0.0.1", Integer.toString(port));
      await("report", Duration.ofSeconds(20), () -> !qr.reports.isEmpty());
      RetrieveReport report = qr.reports.poll();
      assertEquals(DimseStatus.SUCCESS, report.finalStatus(), r.output());
      assertEquals(3, store.received.size());
      for (String name : names) {
        // what DCMTK makes of the same data set in Explicit VR Little Endian
        Path expected = dir.resolve("expected-" + name);
        ToolResult c = run("dcmconv", "+te", TESTDATA.resolve(name).toString(),
            expected.toString());
        assertEquals(0, c.exitCode(), c.output());
        String sop = StoreScu.inspect(TESTDATA.resolve(name)).sopInstanceUid();
        TestSupport.Received got = store.received.stream()
            .filter(x -> x.request().affectedSopInstanceUid().equals(sop)).findFirst()
            .orElseThrow();
        assertEquals(org.annal.dicom.Uid.EXPLICIT_VR_LITTLE_ENDIAN, got.transferSyntax());
        assertEquals("MOVESCU", got.request().moveOriginatorAeTitle());
        // Element by element as DCMTK dumps them, VR column aside: for (0028,0106/0107) "US or SS"
        // DCMTK picks by Pixel Representation, org.annal.dicom's writer US (reported upstream).
        assertEquals(dumpWithoutVr(dataSetBytes(expected), dir),
            dumpWithoutVr(Files.readAllBytes(got.file()), dir), name);
      }
    } finally {
      dest.unbind();
    }
  }

  /** dcmdump of an Explicit VR LE data set, one line per element, VR column removed. */
  static List<String> dumpWithoutVr(byte[] dataSet, Path dir) throws Exception {
    Path f = Files.createTempFile(dir, "ds", ".bin");
    Files.write(f, dataSet);
    ToolResult r = run("dcmdump", "-q", "-f", "-te", "+L", f.toString());
    assertEquals(0, r.exitCode(), r.output());
    return r.output().lines().filter(l -> l.startsWith("("))
        .map(l -> l.substring(0, 11) + l.substring(14).replaceAll("\\s+#.*", "")).toList();
  }

  // ------------------------------------------------------------------ C-GET

  @Test
  void getscuReceivesTheInstancesOnTheSameAssociation(@TempDir Path out) throws Exception {
    qr.items = List.of(InMemoryQueryRetrieve.fileItem(explicitFiles.get(0)),
        InMemoryQueryRetrieve.fileItem(explicitFiles.get(1)));
    ToolResult r = run("getscu", "-S", "-v", "+B", "-aec", "ANNAL", "-od", out.toString(),
        "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3",
        "127.0.0.1", Integer.toString(port));
    assertEquals(0, r.exitCode(), r.output());
    await("report", Duration.ofSeconds(10), () -> !qr.reports.isEmpty());
    RetrieveReport report = qr.reports.poll();
    assertEquals(RetrieveKind.GET, report.kind());
    assertEquals(DimseStatus.SUCCESS, report.finalStatus());
    assertEquals(2, report.completed().size(), r.output());
    Map<String, byte[]> got = bySopInstance(received(out));
    assertEquals(2, got.size(), r.output());
    for (Path f : explicitFiles) {
      assertArrayEquals(dataSetBytes(f), got.get(StoreScu.inspect(f).sopInstanceUid()),
          f.toString());
    }
  }

  /** An item whose data set cannot be opened (its blob missing, its node down). */
  private RetrieveItem unreadable(Path like) throws Exception {
    StoreScu.Instance i = StoreScu.inspect(like);
    return new RetrieveItem(i.sopClassUid(), "1.2.3.999.1", i.transferSyntaxUid(),
        () -> org.apache.pekko.stream.javadsl.Source.failed(
            new java.io.IOException("blob missing (test)")));
  }

  @Test
  void anUnreadableItemFailsAloneInAMove(@TempDir Path dest) throws Exception {
    qr.items = List.of(InMemoryQueryRetrieve.fileItem(explicitFiles.get(0)),
        unreadable(explicitFiles.get(0)), InMemoryQueryRetrieve.fileItem(explicitFiles.get(1)));
    moveToStorescp(dest, (r, report) -> {
      assertEquals(List.of("1.2.3.999.1"), report.failed(), r.output());
      assertEquals(2, report.completed().size(), "the item after the unreadable one went too");
      await("storescp wrote 2 files", Duration.ofSeconds(10), () -> uncheckedCount(dest) == 2);
    });
  }

  @Test
  void anUnreadableItemFailsAloneInAGet(@TempDir Path out) throws Exception {
    qr.items = List.of(unreadable(explicitFiles.get(0)),
        InMemoryQueryRetrieve.fileItem(explicitFiles.get(0)),
        InMemoryQueryRetrieve.fileItem(explicitFiles.get(1)));
    ToolResult r = run("getscu", "-S", "-v", "+B", "-aec", "ANNAL", "-od", out.toString(),
        "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3",
        "127.0.0.1", Integer.toString(port));
    await("report", Duration.ofSeconds(10), () -> !qr.reports.isEmpty());
    RetrieveReport report = qr.reports.poll();
    assertEquals(List.of("1.2.3.999.1"), report.failed(), r.output());
    assertEquals(2, report.completed().size(), r.output());
    assertEquals(2, bySopInstance(received(out)).size(), "both readable instances arrived whole");
  }
}
