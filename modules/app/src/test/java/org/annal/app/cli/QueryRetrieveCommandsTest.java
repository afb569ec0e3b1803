// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import static org.annal.app.cli.AnnalRun.annal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.annal.app.impl.FileToSend;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomFile;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.dicom.Vr;
import org.annal.dicom.net.CFindHandler;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.DicomServer;
import org.annal.dicom.net.DicomServerBinding;
import org.annal.dicom.net.DicomServerSettings;
import org.annal.dicom.net.DimseException;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.QueryRetrieveServices;
import org.annal.dicom.net.QueryRetrieveSopClasses;
import org.annal.dicom.net.RetrieveHandler;
import org.annal.dicom.net.RetrieveItem;
import org.annal.dicom.net.RetrieveReport;
import org.annal.dicom.net.RetrieveRq;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code annal find}, {@code move} and {@code get} against a real Q/R SCP: annal-dicom-net's
 * DicomServer on an ephemeral port with small in-test C-FIND and retrieve handlers, and a second
 * listener as the C-MOVE destination. No archive, no Cassandra.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryRetrieveCommandsTest {
  private static final Path TESTDATA = Path.of("/work/shared/testdata/dicom");

  @TempDir Path temp;
  private ActorTestKit testKit;
  private DicomServerBinding scp;
  private DicomServerBinding destination;

  /** What the C-FIND handler answers, and the identifiers it was asked. */
  private volatile Function<Dataset, Source<Dataset, NotUsed>> answers = id -> Source.empty();
  private final ConcurrentLinkedQueue<Dataset> asked = new ConcurrentLinkedQueue<>();
  /** What the retrieve handler selects, and the requests it saw. */
  private volatile List<RetrieveItem> items = List.of();
  private final ConcurrentLinkedQueue<RetrieveRq> retrieves = new ConcurrentLinkedQueue<>();
  /** Data sets the C-MOVE destination received, by SOP Instance UID. */
  private final Map<String, byte[]> moved = new ConcurrentHashMap<>();

  @BeforeAll
  void bind() throws Exception {
    testKit = ActorTestKit.create("qr-cli-test",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    DicomServerSettings defaults = DicomServerSettings.fromConfig(
        testKit.system().settings().config().getConfig("annal.dicom"));
    CStoreHandler recording = (association, request, syntax) ->
        Sink.<ByteString, ByteString>fold(ByteString.emptyByteString(), ByteString::concat)
            .mapMaterializedValue(done -> done.thenApply(bytes -> {
              moved.put(request.affectedSopInstanceUid(), bytes.toArray());
              return DimseStatus.SUCCESS;
            }));
    destination = DicomServer.bind(testKit.system(),
        defaults.withBind("127.0.0.1", 0).withAeTitle("DEST"), recording)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);

    CFindHandler find = (association, request, identifier) -> {
      asked.add(identifier);
      return answers.apply(identifier);
    };
    RetrieveHandler retrieve = new RetrieveHandler() {
      @Override
      public java.util.concurrent.CompletionStage<List<RetrieveItem>> onRetrieve(
          org.annal.dicom.net.AssociationInfo association, RetrieveRq request,
          Dataset identifier) {
        retrieves.add(request);
        asked.add(identifier);
        return CompletableFuture.completedFuture(items);
      }

      @Override
      public void onRetrieveCompleted(org.annal.dicom.net.AssociationInfo association,
          RetrieveReport report) {
      }
    };
    InetSocketAddress dest = destination.localAddress();
    scp = DicomServer.bind(testKit.system(), defaults.withBind("127.0.0.1", 0).withAeTitle("QRSCP"),
        recording, QueryRetrieveServices.of(find, retrieve,
            ae -> ae.equals("DEST") ? Optional.of(dest) : Optional.empty()))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  void unbind() throws Exception {
    scp.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    destination.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void reset() {
    answers = id -> Source.empty();
    asked.clear();
    items = List.of();
    retrieves.clear();
    moved.clear();
  }

  private String[] peer(String command, String... more) {
    List<String> args = new ArrayList<>(List.of(command, "--host", "127.0.0.1", "--port",
        Integer.toString(scp.port()), "--aec", "QRSCP"));
    args.addAll(Arrays.asList(more));
    return args.toArray(String[]::new);
  }

  static Dataset study(String name, String id, String uid) {
    Dataset d = new Dataset();
    d.putString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY");
    d.putString(Tag.PatientName, Vr.PN, name);
    d.putString(Tag.PatientID, Vr.LO, id);
    d.putString(Tag.StudyDate, Vr.DA, "20240102");
    d.putString(Tag.ModalitiesInStudy, Vr.CS, "CT");
    d.putString(Tag.NumberOfStudyRelatedInstances, Vr.IS, "12");
    d.putString(Tag.StudyInstanceUID, Vr.UI, uid);
    return d;
  }

  static RetrieveItem item(Path file) throws Exception {
    FileToSend f = FileToSend.read(file);
    return item(f, f.sopInstanceUid());
  }

  static RetrieveItem item(FileToSend f, String sopInstanceUid) {
    return new RetrieveItem(f.sopClassUid(), sopInstanceUid, f.transferSyntaxUid(),
        () -> FileIO.fromPath(f.path(), 8192, f.datasetOffset()));
  }

  static byte[] dataSet(FileToSend f) throws Exception {
    byte[] all = Files.readAllBytes(f.path());
    return Arrays.copyOfRange(all, (int) f.datasetOffset(), all.length);
  }

  // ------------------------------------------------------------------------------------ find

  @Test
  void findSendsTheTypedKeysAndPrintsATable() {
    answers = id -> Source.from(List.of(study("Doe^John", "P1", "1.2.3"),
        study("Doe^Jane", "P2", "1.2.4")));
    AnnalRun r = annal(peer("find", "-k", "PatientName=Doe*", "-k", "StudyDate=20240101-",
        "-r", "ReferringPhysicianName"));

    assertEquals(0, r.exitCode(), r.out() + r.err());
    Dataset identifier = asked.poll();
    assertEquals("STUDY", identifier.getString(Tag.QueryRetrieveLevel));
    assertEquals("Doe*", identifier.getString(Tag.PatientName));
    assertEquals(Vr.PN, identifier.get(Tag.PatientName).vr());
    assertEquals("20240101-", identifier.getString(Tag.StudyDate));
    assertEquals("", identifier.getString(Tag.StudyInstanceUID), "default return key");
    assertEquals("", identifier.getString(Tag.ReferringPhysicianName), "-r key");
    List<String> lines = r.out().lines().toList();
    assertEquals(5, lines.size(), r.out());
    assertTrue(lines.get(0).matches("PatientName +PatientID +StudyDate +StudyDescription +"
        + "AccessionNumber +ModalitiesInStudy +NumberOfStudyRelatedInstances +StudyInstanceUID +"
        + "ReferringPhysicianName"), lines.get(0));
    assertTrue(lines.get(2).matches("Doe\\^John +P1 +20240102 +CT +12 +1\\.2\\.3"), lines.get(2));
    assertEquals("2 matches, status 0000 Success", lines.get(4));
  }

  @Test
  void findJsonIsAnArrayOnStdoutWithTheStatusOnStderr() throws Exception {
    answers = id -> Source.single(study("Doe^John", "P1", "1.2.3"));
    AnnalRun r = annal(peer("find", "--json", "--level", "study", "-k", "PatientID=P1"));
    assertEquals(0, r.exitCode(), r.err());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertEquals(1, json.size());
    assertEquals("Doe^John", json.get(0).get("PatientName").asText());
    assertEquals("12", json.get(0).get("NumberOfStudyRelatedInstances").asText());
    assertTrue(json.get(0).get("AccessionNumber").isNull());
    assertTrue(r.err().contains("1 match, status 0000 Success"), r.err());
  }

  @Test
  void findStopsAtItsLimitWithACancel() {
    answers = id -> Source.from(List.of(study("A", "P1", "1.1"), study("B", "P2", "1.2"),
        study("C", "P3", "1.3"))).concat(Source.never());
    AnnalRun r = annal(peer("find", "--limit", "2", "--patient-root", "--level", "PATIENT"));
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertEquals("PATIENT", asked.poll().getString(Tag.QueryRetrieveLevel));
    assertTrue(r.out().contains("2 matches (--limit 2 reached, the rest cancelled), status FE00 "
        + "Cancel"), r.out());
  }

  @Test
  void aFailureStatusFailsTheFind() {
    answers = id -> Source.failed(new DimseException(0xA700, "index unavailable"));
    AnnalRun r = annal(peer("find", "-k", "PatientID=P1"));
    assertEquals(1, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("0 matches, status A700 Refused: Out of Resources "
        + "(index unavailable)"), r.out());
  }

  @Test
  void anUnknownKeywordIsAUsageError() {
    AnnalRun r = annal(peer("find", "-k", "PatientNam=Doe*"));
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("unknown attribute 'PatientNam'"), r.err());
    assertTrue(asked.isEmpty(), "nothing sent");

    AnnalRun level = annal(peer("find", "--level", "PATIENT"));
    assertEquals(2, level.exitCode());
    assertTrue(level.err().contains("--level PATIENT needs --patient-root"), level.err());

    AnnalRun both = annal(peer("find", "--patient-root", "--study-root"));
    assertEquals(2, both.exitCode());
  }

  @Test
  void noListenerIsOneLineAndExit1() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    AnnalRun r = annal("find", "--port", Integer.toString(closedPort), "--host", "127.0.0.1");
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith("annal: C-FIND ANNAL@127.0.0.1:" + closedPort + " failed: "),
        r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  // ------------------------------------------------------------------------------------ move

  @Test
  void moveSendsToTheDestination() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(TESTDATA), "shared test data not here");
    FileToSend ct = FileToSend.read(TESTDATA.resolve("CT_small.dcm"));
    items = List.of(item(ct, ct.sopInstanceUid()), item(TESTDATA.resolve("MR_small.dcm")));
    AnnalRun r = annal(peer("move", "--dest", "DEST", "-k", "StudyInstanceUID=1.2.3"));

    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().startsWith("C-MOVE to DEST: completed 2, failed 0, warning 0, status 0000 "
        + "Success"), r.out());
    RetrieveRq request = retrieves.poll();
    assertEquals("DEST", request.moveDestination());
    assertEquals(QueryRetrieveSopClasses.STUDY_ROOT_MOVE, request.affectedSopClassUid());
    assertEquals("1.2.3", asked.poll().getString(Tag.StudyInstanceUID));
    assertEquals(2, moved.size());
    assertArrayEquals(dataSet(ct), moved.get(ct.sopInstanceUid()));
  }

  @Test
  void moveToAnUnknownDestinationFails() throws Exception {
    AnnalRun r = annal(peer("move", "--dest", "NOBODY", "--json", "-k", "StudyInstanceUID=1.2.3"));
    assertEquals(1, r.exitCode(), r.out() + r.err());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertEquals("A801", json.get("status").asText());
    assertEquals("NOBODY", json.get("destination").asText());
    assertTrue(!json.get("ok").asBoolean());
  }

  @Test
  void retrieveWithoutKeysIsAUsageError() {
    AnnalRun move = annal(peer("move", "--dest", "DEST"));
    assertEquals(2, move.exitCode());
    assertTrue(move.err().contains("Name what to retrieve with -k"), move.err());
    AnnalRun get = annal(peer("get", "--out", temp.toString(), "--level", "SERIES"));
    assertEquals(2, get.exitCode());
    assertTrue(get.err().contains("-k SeriesInstanceUID="), get.err());
    assertTrue(retrieves.isEmpty());
  }

  // ------------------------------------------------------------------------------------- get

  @Test
  void getWritesPart10FilesNamedSafely() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(TESTDATA), "shared test data not here");
    FileToSend ct = FileToSend.read(TESTDATA.resolve("CT_small.dcm"));
    FileToSend mr = FileToSend.read(TESTDATA.resolve("MR_small.dcm"));
    items = List.of(item(ct, ct.sopInstanceUid()), item(mr, mr.sopInstanceUid()),
        item(ct, "../../evil"));
    Path out = temp.resolve("got/nested");
    AnnalRun r = annal(peer("get", "--out", out.toString(), "--level", "IMAGE", "-k",
        "SOPInstanceUID=" + ct.sopInstanceUid() + "\\" + mr.sopInstanceUid()));

    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().startsWith("C-GET: completed 3, failed 0, warning 0, status 0000 Success; "
        + "3 files"), r.out());
    assertEquals(QueryRetrieveSopClasses.STUDY_ROOT_GET, retrieves.poll().affectedSopClassUid());
    List<String> names;
    try (Stream<Path> files = Files.list(out)) {
      names = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertEquals(List.of(ct.sopInstanceUid() + ".dcm", mr.sopInstanceUid() + ".dcm",
        "_._.._evil.dcm").stream().sorted().toList(), names);
    try (Stream<Path> all = Files.walk(temp)) {
      assertTrue(all.noneMatch(p -> p.getFileName().toString().contains("evil")
          && !p.getParent().equals(out)), "nothing outside --out");
    }
    FileToSend written = FileToSend.read(out.resolve(ct.sopInstanceUid() + ".dcm"));
    assertEquals(ct.sopInstanceUid(), written.sopInstanceUid());
    assertEquals(Uid.EXPLICIT_VR_LITTLE_ENDIAN, written.transferSyntaxUid());
    assertArrayEquals(dataSet(ct), dataSet(written), "data set as stored, meta header in front");
    DicomFile file = DicomFile.read(out.resolve(mr.sopInstanceUid() + ".dcm"));
    assertEquals(mr.sopInstanceUid(), file.meta().mediaStorageSopInstanceUid());
    assertEquals(mr.sopClassUid(), file.meta().mediaStorageSopClassUid());
    assertEquals("QRSCP", file.meta().sourceApplicationEntityTitle());
    assertEquals("../../evil",
        DicomFile.read(out.resolve("_._.._evil.dcm")).meta().mediaStorageSopInstanceUid(),
        "the meta header keeps the UID as received; only the file name is sanitized");
  }

  @Test
  void aCompressedInstanceNeedsItsTransferSyntaxProposed() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(TESTDATA), "shared test data not here");
    FileToSend jpeg = FileToSend.read(TESTDATA.resolve("JPEG-lossy.dcm"));
    items = List.of(item(jpeg, jpeg.sopInstanceUid()));

    AnnalRun without = annal(peer("get", "--out", temp.resolve("a").toString(), "-k",
        "StudyInstanceUID=1.2.3"));
    assertEquals(1, without.exitCode(), without.out() + without.err());
    assertTrue(without.out().contains("completed 0, failed 1"), without.out());
    assertTrue(without.err().contains("failed: " + jpeg.sopInstanceUid()), without.err());
    assertTrue(without.err().contains("hint: instances stored compressed"), without.err());

    AnnalRun with = annal(peer("get", "--out", temp.resolve("b").toString(), "--json", "--ts",
        jpeg.transferSyntaxUid(), "--sop-class", "SecondaryCaptureImageStorage", "-k",
        "StudyInstanceUID=1.2.3"));
    assertEquals(0, with.exitCode(), with.out() + with.err());
    JsonNode json = new ObjectMapper().readTree(with.out());
    assertEquals(1, json.get("completed").asInt());
    assertEquals(1, json.get("filesWritten").asInt());
    FileToSend written = FileToSend.read(temp.resolve("b/" + jpeg.sopInstanceUid() + ".dcm"));
    assertEquals(jpeg.transferSyntaxUid(), written.transferSyntaxUid());
    assertArrayEquals(dataSet(jpeg), dataSet(written));
  }
}
