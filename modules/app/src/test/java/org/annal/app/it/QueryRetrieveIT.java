// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.annal.app.it.DcmtkQr.Find;
import org.annal.app.it.DcmtkQr.Response;
import org.annal.app.it.DcmtkQr.Retrieve;
import org.annal.app.it.QrData.Patient;
import org.annal.app.it.QrData.Series;
import org.annal.app.it.QrData.Study;
import org.annal.app.it.StorescuLog.Outcome;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * C-FIND, C-MOVE and C-GET from DCMTK against one real node (embedded Cassandra), on an archive
 * whose every attribute the test chose ({@link QrData}): 7 patients (names in ASCII, UTF-8 under
 * ISO_IR 192 and Latin-1 under ISO_IR 100), 18 studies, CT/MR/OT series, 27 metadata-only
 * instances and one study of 100 full-size (512 KiB) CT slices.
 *
 * <ol>
 *   <li>findscu at every level of both models, answers compared exactly with the model; unknown
 *       return keys come back empty; missing higher-level unique keys fail; more matches than
 *       {@code annal.query.max-results} (10 here) give 10 answers and A700.
 *   <li>movescu to a storescp the test runs (Move Destination QRDEST): every instance arrives, each
 *       data set byte for byte the one the node stored; an unknown destination is A801.
 *   <li>getscu of a series and of an image: the same byte checks.
 *   <li>movescu {@code --cancel}: C-CANCEL mid-move ends it with FE00.
 *   <li>storescp killed mid-move: failed sub-operations reported, the node stays healthy, a second
 *       move completes, the study is unchanged.
 *   <li>One StudyAccessed event per study per retrieve: eventCount, and the events themselves
 *       read from the journal (annal.messages) with their contents.
 *   <li>Every C-FIND in audit.log with its calling AE, level, keys, matches and outcome.
 *   <li>{@code annal reindex} (when the CLI has it): the same answers after a rebuild.
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueryRetrieveIT {
  static final int MAX_RESULTS = 10;
  static final String DESTINATION = "QRDEST";
  static final int BIG_INSTANCES = 100;

  // Tags the assertions read (PS3.6), spelled out rather than taken from the code under test.
  static final int SPECIFIC_CHARACTER_SET = 0x00080005;
  static final int SOP_CLASS_UID = 0x00080016;
  static final int SOP_INSTANCE_UID = 0x00080018;
  static final int STUDY_DATE = 0x00080020;
  static final int STUDY_TIME = 0x00080030;
  static final int ACCESSION_NUMBER = 0x00080050;
  static final int QUERY_RETRIEVE_LEVEL = 0x00080052;
  static final int MODALITIES_IN_STUDY = 0x00080061;
  static final int MODALITY = 0x00080060;
  static final int STUDY_DESCRIPTION = 0x00081030;
  static final int SERIES_DESCRIPTION = 0x0008103E;
  static final int ADMITTING_DIAGNOSES = 0x00081080;
  static final int REFERENCED_STUDY_SEQUENCE = 0x00081110;
  static final int PATIENT_NAME = 0x00100010;
  static final int PATIENT_ID = 0x00100020;
  static final int PATIENT_BIRTH_DATE = 0x00100030;
  static final int PATIENT_SEX = 0x00100040;
  static final int PATIENT_WEIGHT = 0x00101030;
  static final int STUDY_INSTANCE_UID = 0x0020000D;
  static final int SERIES_INSTANCE_UID = 0x0020000E;
  static final int SERIES_NUMBER = 0x00200011;
  static final int INSTANCE_NUMBER = 0x00200013;
  static final int PATIENT_RELATED_STUDIES = 0x00201200;
  static final int PATIENT_RELATED_SERIES = 0x00201202;
  static final int PATIENT_RELATED_INSTANCES = 0x00201204;
  static final int STUDY_RELATED_SERIES = 0x00201206;
  static final int STUDY_RELATED_INSTANCES = 0x00201208;
  static final int SERIES_RELATED_INSTANCES = 0x00201209;

  static final List<String> STUDY_RETURN_KEYS = List.of("StudyInstanceUID", "PatientName", "PatientID",
      "StudyDate", "StudyTime", "AccessionNumber", "StudyDescription", "ModalitiesInStudy",
      "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances");
  static final List<String> SERIES_RETURN_KEYS = List.of("SeriesInstanceUID", "Modality", "SeriesNumber",
      "SeriesDescription", "NumberOfSeriesRelatedInstances");
  static final List<String> IMAGE_RETURN_KEYS = List.of("SOPInstanceUID", "SOPClassUID", "InstanceNumber");
  static final List<String> PATIENT_RETURN_KEYS = List.of("PatientName", "PatientID", "PatientSex",
      "PatientBirthDate", "NumberOfPatientRelatedStudies", "NumberOfPatientRelatedSeries",
      "NumberOfPatientRelatedInstances");

  private final ObjectMapper json = new ObjectMapper();
  /** Closed once every test has run (kills what is still alive); null if never created. */
  @AutoClose private AnnalNode node;
  private int destinationPort;
  private StudyApi api;
  private BlobFiles blobs;
  private QrData data;
  private Patient p1;
  private Patient p2;
  private Study st1;
  private Study st2;
  private Study st3;
  private Study st4;
  private Study st5;
  private Study st6;
  private Study big;
  private final List<Study> many = new ArrayList<>();
  /** The data set of every instance as the node stored it (blob minus meta), by SOP Instance UID. */
  private final Map<String, byte[]> stored = new HashMap<>();
  /** Blob SHA-256 of every instance of the big study before the retrieves, for "nothing changed". */
  private Map<String, String> bigShasBefore;
  /** C-MOVE / C-GET requests that touched a study, with what the peer was told, for the events check. */
  private final List<Access> accesses = new ArrayList<>();
  /** Every findscu this test checked, for the audit log. */
  private final List<Audited> audited = new ArrayList<>();
  /** Queries to run again after a reindex, with their answers. */
  private final List<Replay> replays = new ArrayList<>();
  private int queries;
  private int retrieves;

  /**
   * One retrieve of one study as the test saw it: {@code selected} instances of the study the
   * identifier selects, {@code completed} the ones received (null when not known exactly). The
   * event lists the others as failed: "failed or not attempted (e.g. after a cancel)" (EVENTS.md).
   */
  record Access(String study, String how, String callingAe, String destination, Set<String> completed,
      int completedCount, int selected, boolean cancelled, int status) {}

  record Audited(String callingAe, String level, Find find, String keyFragment) {}

  record Replay(String name, Supplier<Find> again, List<String> answers) {}

  @BeforeAll
  void generateStoreAndWaitUntilIndexed() throws IOException {
    for (String tool : List.of("findscu", "movescu", "getscu", "storescu", "storescp", "echoscu", "dcmdump")) {
      ExternalTool.assumeInstalled(tool);
    }
    destinationPort = FreePorts.next();
    node = new AnnalNode("QueryRetrieveIT", List.of(
        "annal.dicom.query-retrieve.move-destinations { " + DESTINATION + " = \"127.0.0.1:" + destinationPort + "\" }",
        "annal.query.max-results = " + MAX_RESULTS));
    long begin = System.nanoTime();
    data = new QrData(node.workDir().resolve("input"));
    p1 = new Patient("QR-P1", "SMITH^ANNA", null, "F", "19700101");
    p2 = new Patient("QR-P2", "SMITHSON^JOHN", null, "M", "19650505");
    Patient p3 = new Patient("QR-P3", "Müller^Jürgen", "ISO_IR 192", "M", "19800808");
    Patient p4 = new Patient("QR-P4", "山田^太郎", "ISO_IR 192", "M", "19900909");
    Patient p5 = new Patient("QR-P5", "Ødegård^Åse", "ISO_IR 100", "F", "19851010");
    Patient manyPatient = new Patient("QR-MANY", "MANY^STUDIES", null, "O", "20000101");
    Patient bigPatient = new Patient("QR-BIG", "BIG^MOVE", null, "M", "19500101");
    st1 = data.study(p1, "20240115", "093000", "CT CHEST", QrData.series("CT", 3), QrData.series("MR", 2));
    st2 = data.study(p1, "20240620", "141500", "CT HEAD", QrData.series("CT", 2));
    st3 = data.study(p2, "20231231", "080000", "MR KNEE", QrData.series("MR", 4));
    st4 = data.study(p3, "20240301", "120000", "CT ABDOMEN", QrData.series("CT", 2), QrData.series("OT", 1));
    st5 = data.study(p4, "20240302", "163000", "MR BRAIN", QrData.series("MR", 1));
    st6 = data.study(p5, "20250101", "101500", "CT SINUS", QrData.series("CT", 1));
    for (int i = 1; i <= MAX_RESULTS + 1; i++) {
      many.add(data.study(manyPatient, String.format("199901%02d", i), "070000", "OT SCREEN", QrData.series("OT", 1)));
    }
    big = data.study(bigPatient, "20221010", "013000", "CT FULL",
        new QrData.SeriesSpec("CT", BIG_INSTANCES, QrData.FULL));
    System.out.printf("[it] QueryRetrieveIT generated %d studies, %d instances in %.1f s%n",
        data.studies().size(), data.files().size(), (System.nanoTime() - begin) / 1e9);

    node.start();
    api = new StudyApi(node.httpPort());
    blobs = new BlobFiles(node.dataDir());

    begin = System.nanoTime();
    ExternalTool.Run store = ExternalTool.run(node.workDir().resolve("storescu.log"), Duration.ofSeconds(300),
        Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of(), data.files().values()));
    Map<String, StorescuLog.FileResult> results = StorescuLog.parse(store.output());
    assertEquals(data.files().size(), StorescuLog.count(results, Outcome.SUCCESS), store.describe());
    System.out.printf("[it] QueryRetrieveIT stored %d instances in %.1f s%n", data.files().size(),
        (System.nanoTime() - begin) / 1e9);

    // C-FIND sees what was stored once the projection has it (~0.5 s): poll the counts.
    begin = System.nanoTime();
    Await.until(Duration.ofSeconds(60), "every study indexed with all its instances",
        () -> indexedCounts().equals(expectedCounts()),
        () -> "indexed " + indexedCounts() + "\nexpected " + expectedCounts() + "\n" + node.tail(20));
    System.out.printf("[it] QueryRetrieveIT index complete %.1f s after the last C-STORE%n", (System.nanoTime() - begin) / 1e9);

    for (Study study : data.studies()) {
      StudyApi.Study state = api.study(study.studyInstanceUid());
      for (QrData.Instance instance : study.instances()) {
        StudyApi.Instance i = state.instances().get(instance.sopInstanceUid());
        assertNotNull(i, instance.sopInstanceUid() + " not in the study document " + StudyApi.abbreviate(state.body()));
        Path blob = blobs.find(i).orElseThrow(() -> new AssertionError("no blob for " + i.json()));
        stored.put(instance.sopInstanceUid(), Part10File.read(blob).dataSet());
      }
      if (study == big) {
        bigShasBefore = shas(state);
      }
    }
  }

  // ------------------------------------------------------------------------------------ C-FIND

  @Test
  @Order(1)
  void storedDataSetsAreTheOnesSent() {
    List<String> problems = new ArrayList<>();
    data.files().forEach((sop, file) -> {
      long difference = Part10File.firstDifference(stored.get(sop), Part10File.read(file).dataSet());
      if (difference >= 0) {
        problems.add(file + ": stored data set differs from byte " + difference);
      }
    });
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  @Order(2)
  void studyLevelExactWildcardAndCase() {
    assertStudies(findStudies("patient-id", Map.of("PatientID", "QR-P1")), st1, st2);
    assertStudies(findStudies("name-prefix", Map.of("PatientName", "SMITH*")), st1, st2, st3);
    // PN matching ignores case (annal.query.person-name-case-insensitive) and is per component.
    assertStudies(findStudies("name-lower-case", Map.of("PatientName", "smith^a*")), st1, st2);
    assertStudies(findStudies("name-question-mark", Map.of("PatientName", "SMITH?ON^JOHN")), st3);
    assertStudies(findStudies("name-no-match", Map.of("PatientName", "SMITH")));
    assertStudies(findStudies("accession", Map.of("AccessionNumber", st4.accession())), st4);
  }

  @Test
  @Order(3)
  void nonAsciiNamesUnderTheirCharacterSets() {
    // Query files carry the exact bytes of the declared character set, whatever the JVM's locale.
    Find mueller = findStudiesByName("name-utf8-latin", "ISO_IR 192", StandardCharsets.UTF_8, "Müller*");
    assertStudies(mueller, st4);
    assertEquals("ISO_IR 192", mueller.responses().get(0).get(SPECIFIC_CHARACTER_SET), mueller.describe());

    Find yamada = findStudiesByName("name-utf8-cjk", "ISO_IR 192", StandardCharsets.UTF_8, "山田*");
    assertStudies(yamada, st5);
    assertEquals("ISO_IR 192", yamada.responses().get(0).get(SPECIFIC_CHARACTER_SET), yamada.describe());

    // Stored as ISO_IR 100, asked in ISO_IR 100: answered in Latin-1 under ISO_IR 100.
    Find latin = findStudiesByName("name-latin1", "ISO_IR 100", StandardCharsets.ISO_8859_1, "Ødeg*");
    assertStudies(latin, st6);
    assertEquals("ISO_IR 100", latin.responses().get(0).get(SPECIFIC_CHARACTER_SET), latin.describe());

    // Stored as ISO_IR 100, asked in UTF-8: values compare as text, not bytes.
    Find latinByUtf8 = findStudiesByName("name-latin1-by-utf8", "ISO_IR 192", StandardCharsets.UTF_8, "*gård*");
    assertStudies(latinByUtf8, st6);

    // The default repertoire query of a non-ASCII patient: the answer still declares its set.
    Find byId = findStudies("non-ascii-by-id", Map.of("PatientID", "QR-P3"));
    assertStudies(byId, st4);
    assertEquals("ISO_IR 192", byId.responses().get(0).get(SPECIFIC_CHARACTER_SET), byId.describe());
  }

  @Test
  @Order(4)
  void dateAndTimeRangesUidListsAndModalities() {
    assertStudies(findStudies("date-range", Map.of("StudyDate", "20240101-20240630")), st1, st2, st4, st5);
    assertStudies(findStudies("date-range-closed-before", Map.of("StudyDate", "20000101-20231231")), st3, big);
    assertStudies(findStudies("date-open-end", Map.of("StudyDate", "20250101-")), st6);
    assertStudies(findStudies("date-single", Map.of("StudyDate", "20240620")), st2);
    assertStudies(findStudies("time-range", Map.of("StudyTime", "090000-120000")), st1, st4, st6);
    assertStudies(findStudies("name-and-date", Map.of("PatientName", "SMITH*", "StudyDate", "20240101-20241231")),
        st1, st2);
    assertStudies(findStudies("uid-list", Map.of("StudyInstanceUID",
        st1.studyInstanceUid() + "\\" + st3.studyInstanceUid() + "\\" + st6.studyInstanceUid())), st1, st3, st6);
    assertStudies(findStudies("modality-mr", Map.of("ModalitiesInStudy", "MR")), st1, st3, st5);
    assertStudies(findStudies("modalities-ct-ot", Map.of("ModalitiesInStudy", "CT\\OT", "StudyDate", "20240101-20251231")),
        st1, st2, st4, st6);
  }

  @Test
  @Order(5)
  void seriesAndImageLevels() {
    Find series = find("series-of-study", DcmtkQr.STUDY_ROOT, "SERIES",
        Map.of("StudyInstanceUID", st1.studyInstanceUid()), SERIES_RETURN_KEYS);
    assertSeries(series, st1, st1.series());

    Find mr = find("series-mr", DcmtkQr.STUDY_ROOT, "SERIES",
        Map.of("StudyInstanceUID", st1.studyInstanceUid(), "Modality", "MR"), SERIES_RETURN_KEYS);
    assertSeries(mr, st1, List.of(st1.series().get(1)));

    Series ct = st1.series().get(0);
    Find images = find("images-of-series", DcmtkQr.STUDY_ROOT, "IMAGE",
        Map.of("StudyInstanceUID", st1.studyInstanceUid(), "SeriesInstanceUID", ct.seriesInstanceUid()), IMAGE_RETURN_KEYS);
    assertImages(images, ct, ct.instances());

    List<QrData.Instance> two = List.of(ct.instances().get(0), ct.instances().get(2));
    Find listed = find("images-uid-list", DcmtkQr.STUDY_ROOT, "IMAGE",
        Map.of("StudyInstanceUID", st1.studyInstanceUid(), "SeriesInstanceUID", ct.seriesInstanceUid(),
            "SOPInstanceUID", two.get(0).sopInstanceUid() + "\\" + two.get(1).sopInstanceUid()), IMAGE_RETURN_KEYS);
    assertImages(listed, ct, two);
  }

  @Test
  @Order(6)
  void patientRootAtEveryLevel() {
    Find one = find("patient-by-id", DcmtkQr.PATIENT_ROOT, "PATIENT", Map.of("PatientID", "QR-P1"), PATIENT_RETURN_KEYS);
    assertPatients(one, Map.of(p1, List.of(st1, st2)));

    Find smiths = find("patients-by-name", DcmtkQr.PATIENT_ROOT, "PATIENT", Map.of("PatientName", "SMITH*"),
        PATIENT_RETURN_KEYS);
    assertPatients(smiths, Map.of(p1, List.of(st1, st2), p2, List.of(st3)));

    Find studies = find("patient-root-studies", DcmtkQr.PATIENT_ROOT, "STUDY", Map.of("PatientID", "QR-P3"),
        STUDY_RETURN_KEYS);
    assertStudies(studies, st4);

    Find series = find("patient-root-series", DcmtkQr.PATIENT_ROOT, "SERIES",
        Map.of("PatientID", "QR-P3", "StudyInstanceUID", st4.studyInstanceUid()), SERIES_RETURN_KEYS);
    assertSeries(series, st4, st4.series());

    Series mr = st5.series().get(0);
    Find images = find("patient-root-images", DcmtkQr.PATIENT_ROOT, "IMAGE",
        Map.of("PatientID", "QR-P4", "StudyInstanceUID", st5.studyInstanceUid(), "SeriesInstanceUID",
            mr.seriesInstanceUid()), IMAGE_RETURN_KEYS);
    assertImages(images, mr, mr.instances());
  }

  @Test
  @Order(7)
  void unknownReturnKeysComeBackEmpty() {
    List<String> keys = new ArrayList<>(STUDY_RETURN_KEYS);
    keys.addAll(List.of("PatientWeight", "(0008,1080)", "(0008,1110)[0].(0008,1150)"));
    Find find = find("unknown-keys", DcmtkQr.STUDY_ROOT, "STUDY", Map.of("PatientID", "QR-P2"), keys);
    assertStudies(find, st3);
    Response r = find.responses().get(0);
    assertTrue(r.has(PATIENT_WEIGHT), "PatientWeight returned (empty) " + find.describe());
    assertEquals("", r.get(PATIENT_WEIGHT), find.describe());
    assertTrue(r.has(ADMITTING_DIAGNOSES), "AdmittingDiagnosesDescription returned (empty) " + find.describe());
    assertEquals("", r.get(ADMITTING_DIAGNOSES), find.describe());
    assertTrue(r.has(REFERENCED_STUDY_SEQUENCE), "ReferencedStudySequence returned " + find.describe());
    assertEquals("SQ", r.elements().get(REFERENCED_STUDY_SEQUENCE).vr(), find.describe());
  }

  @Test
  @Order(8)
  void missingHigherLevelUniqueKeysFail() {
    Find series = find("series-without-study", DcmtkQr.STUDY_ROOT, "SERIES", Map.of("Modality", "CT"), SERIES_RETURN_KEYS);
    assertFailed(series);
    Find studies = find("patient-root-study-without-patient", DcmtkQr.PATIENT_ROOT, "STUDY",
        Map.of("StudyDate", "20240115"), STUDY_RETURN_KEYS);
    assertFailed(studies);
  }

  @Test
  @Order(9)
  void moreMatchesThanMaxResultsGiveTheFirstOnesThenA700() {
    Find find = find("capped", DcmtkQr.STUDY_ROOT, "STUDY", Map.of("PatientID", "QR-MANY"), STUDY_RETURN_KEYS);
    assertEquals(0xA700, find.status(), find.describe());
    assertEquals(MAX_RESULTS, find.responses().size(), find.describe());
    Set<String> all = many.stream().map(Study::studyInstanceUid).collect(Collectors.toSet());
    Set<String> answered = new LinkedHashSet<>();
    for (Response r : find.responses()) {
      assertTrue(all.contains(r.get(STUDY_INSTANCE_UID)), "not one of QR-MANY's studies: " + r);
      answered.add(r.get(STUDY_INSTANCE_UID));
    }
    assertEquals(MAX_RESULTS, answered.size(), "distinct studies " + find.describe());
  }

  // ------------------------------------------------------------------------------------ C-MOVE / C-GET

  @Test
  @Order(20)
  void moveOfAStudyDeliversEveryInstanceByteForByte() {
    Retrieve move = move("move-study", DcmtkQr.STUDY_ROOT, List.of(),
        List.of("QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + st1.studyInstanceUid()), List.of(st1));
    assertEquals(0x0000, move.status(), move.describe());
    assertEquals(st1.instanceCount(), move.completed(), move.describe());
    assertEquals(0, move.failed(), move.describe());
  }

  @Test
  @Order(21)
  void moveToAnUnknownDestinationIsA801() {
    Path dir = node.workDir().resolve("move-unknown-destination");
    Retrieve move = DcmtkQr.movescu(dir.resolve("movescu.log"), node.dicomPort(), DcmtkQr.STUDY_ROOT,
        nextRetrieveAe("M"), "NOWHERE", List.of(),
        List.of("QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + st2.studyInstanceUid()));
    assertEquals(0xA801, move.status(), move.describe());
    // A refused move reads nothing out: no StudyAccessed (checked with the events).
  }

  @Test
  @Order(22)
  void patientLevelMoveOfOnePatientsStudies() {
    Retrieve move = move("move-patient", DcmtkQr.PATIENT_ROOT, List.of(),
        List.of("QueryRetrieveLevel=PATIENT", "PatientID=QR-P1"), List.of(st1, st2));
    assertEquals(0x0000, move.status(), move.describe());
    assertEquals(st1.instanceCount() + st2.instanceCount(), move.completed(), move.describe());
  }

  @Test
  @Order(23)
  void getOfASeriesAndOfAnImageDeliversThemByteForByte() {
    Series ct = st4.series().get(0);
    Retrieve series = get("get-series", List.of("QueryRetrieveLevel=SERIES", "StudyInstanceUID=" + st4.studyInstanceUid(),
        "SeriesInstanceUID=" + ct.seriesInstanceUid()), st4, ct.instances());
    assertEquals(0x0000, series.status(), series.describe());
    assertEquals(ct.instances().size(), series.completed(), series.describe());

    Series mr = st3.series().get(0);
    QrData.Instance one = mr.instances().get(2);
    Retrieve image = get("get-image", List.of("QueryRetrieveLevel=IMAGE", "StudyInstanceUID=" + st3.studyInstanceUid(),
        "SeriesInstanceUID=" + mr.seriesInstanceUid(), "SOPInstanceUID=" + one.sopInstanceUid()), st3, List.of(one));
    assertEquals(0x0000, image.status(), image.describe());
    assertEquals(1, image.completed(), image.describe());
  }

  @Test
  @Order(24)
  void cancelMidMoveEndsItWithFE00() {
    Path dir = node.workDir().resolve("move-cancel");
    Path out = dir.resolve("received");
    ExternalTool.Started scp = DcmtkQr.storescp(dir, out, destinationPort, DESTINATION);
    String ae = nextRetrieveAe("M");
    Retrieve move;
    try {
      // movescu sends C-CANCEL-RQ after its 3rd Pending response.
      move = DcmtkQr.movescu(dir.resolve("movescu.log"), node.dicomPort(), DcmtkQr.STUDY_ROOT, ae, DESTINATION,
          List.of("--cancel", "3"), List.of("QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + big.studyInstanceUid()));
    } finally {
      stop(scp);
    }
    Map<String, byte[]> received = DcmtkQr.receivedDataSets(out);
    accesses.add(new Access(big.studyInstanceUid(), "C-MOVE", ae, DESTINATION, new TreeSet<>(received.keySet()),
        move.completed(), BIG_INSTANCES, true, move.status()));
    System.out.printf("[it] QueryRetrieveIT cancel: status %04X, completed %d, remaining %d, %d files received%n",
        move.status(), move.completed(), move.remaining(), received.size());
    assertTrue(move.run().output().contains("Sending Cancel Request"), "movescu sent C-CANCEL-RQ\n" + move.describe());
    assertEquals(0xFE00, move.status(), move.describe());
    assertTrue(move.completed() >= 3 && move.completed() < BIG_INSTANCES, move.describe());
    assertEquals(0, move.failed(), move.describe());
    assertEquals(move.completed(), received.size(), "files at the destination vs completed\n" + move.describe());
    assertSameAsStored(received, "cancelled move");
  }

  @Test
  @Order(25)
  void destinationKilledMidMoveFailsTheRestAndTheNodeCarriesOn() {
    Path dir = node.workDir().resolve("move-killed");
    Path out = dir.resolve("received");
    ExternalTool.Started scp = DcmtkQr.storescp(dir, out, destinationPort, DESTINATION);
    String ae = nextRetrieveAe("M");
    ExternalTool.Started movescu = DcmtkQr.startMovescu(dir.resolve("movescu.log"), node.dicomPort(), DcmtkQr.STUDY_ROOT,
        ae, DESTINATION, List.of(), List.of("QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + big.studyInstanceUid()));
    long atKill;
    Retrieve move;
    try {
      Await.until(Duration.ofSeconds(60), "3 instances at the destination",
          () -> DcmtkQr.fileCount(out) >= 3 || !movescu.process().isAlive(), movescu::outputSoFar);
      scp.process().destroyForcibly();
      atKill = DcmtkQr.fileCount(out);
      move = DcmtkQr.retrieve(movescu.await(Duration.ofSeconds(180)), "C-MOVE RSP");
    } finally {
      scp.process().destroyForcibly();
      movescu.process().destroyForcibly();
    }
    accesses.add(new Access(big.studyInstanceUid(), "C-MOVE", ae, DESTINATION, null, move.completed(), BIG_INSTANCES,
        false, move.status()));
    System.out.printf("[it] QueryRetrieveIT storescp killed with %d files: status %04X, completed %d, failed %d%n",
        atKill, move.status(), move.completed(), move.failed());
    assertTrue(atKill < BIG_INSTANCES, "the move finished before storescp was killed: make it longer");
    assertTrue(move.status() == 0xB000 || move.status() == 0xA702, "B000 or A702\n" + move.describe());
    assertTrue(move.failed() > 0, move.describe());
    assertEquals(BIG_INSTANCES, move.completed() + move.failed() + Math.max(0, move.warning()), move.describe());

    // The node is fine: health, C-ECHO, C-FIND.
    assertEquals(200, api.health().status(), "GET /api/health after the failed move");
    ExternalTool.Run echo = Dcmtk.echoscu(dir.resolve("echoscu.log"), node.dicomPort(), AnnalNode.AE_TITLE);
    assertEquals(0, echo.exitCode(), echo.describe());
    assertStudies(findStudies("after-killed-move", Map.of("PatientID", "QR-BIG")), big);

    // A second move to a fresh storescp delivers everything.
    Retrieve again = move("move-after-kill", DcmtkQr.STUDY_ROOT, List.of(),
        List.of("QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + big.studyInstanceUid()), List.of(big));
    assertEquals(0x0000, again.status(), again.describe());
    assertEquals(BIG_INSTANCES, again.completed(), again.describe());

    // Nothing in the study changed (events are checked with the others).
    assertEquals(bigShasBefore, shas(api.study(big.studyInstanceUid())), "instances and checksums of the big study");
  }

  @Test
  @Order(26)
  void patientLevelMoveSendsEveryStudyEvenBeyondMaxResults() {
    // QR-MANY has MAX_RESULTS + 1 studies; a C-MOVE must not be cut where a C-FIND would be.
    Retrieve move = move("move-many-studies", DcmtkQr.PATIENT_ROOT, List.of(),
        List.of("QueryRetrieveLevel=PATIENT", "PatientID=QR-MANY"), many);
    assertEquals(0x0000, move.status(), move.describe());
    assertEquals(many.size(), move.completed(), move.describe());
  }

  // ------------------------------------------------------------------------------------ events, audit

  @Test
  @Order(30)
  void everyRetrieveIsOneStudyAccessedEventPerStudy() throws IOException {
    Map<String, Integer> accessCount = new HashMap<>();
    accesses.forEach(a -> accessCount.merge(a.study(), 1, Integer::sum));
    Map<String, Integer> expected = new TreeMap<>();
    for (Study study : data.studies()) {
      expected.put(study.studyInstanceUid(), study.instanceCount() + accessCount.getOrDefault(study.studyInstanceUid(), 0));
    }
    Await.until(Duration.ofSeconds(30), "eventCount = instances + retrieves of each study",
        () -> eventCounts().equals(expected), () -> "eventCount " + eventCounts() + "\nexpected " + expected);

    String[] hostPort = node.cassandraAddress().split(":");
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    List<String> problems = new ArrayList<>();
    try (CqlSession session = CqlSession.builder()
        .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
        .withLocalDatacenter("datacenter1").build()) {
      for (Study study : data.studies()) {
        List<JsonNode> events = new ArrayList<>();
        for (Row row : session.execute("SELECT sequence_nr, event FROM annal.messages WHERE persistence_id = ? AND partition_nr = 0",
            "Study|" + study.studyInstanceUid())) {
          events.add(decode(cbor, row.getByteBuffer("event")));
        }
        Map<String, Long> types = events.stream().collect(Collectors.groupingBy(e -> e.path("type").asText(), TreeMap::new,
            Collectors.counting()));
        long accessed = accessCount.getOrDefault(study.studyInstanceUid(), 0);
        Map<String, Long> expectedTypes = new TreeMap<>(Map.of("InstanceStored/1", (long) study.instanceCount()));
        if (accessed > 0) {
          expectedTypes.put("StudyAccessed/1", accessed);
        }
        if (!types.equals(expectedTypes)) {
          problems.add("Study|" + study.studyInstanceUid() + ": events " + types + ", expected " + expectedTypes);
        }
        for (Access access : accesses) {
          if (access.study().equals(study.studyInstanceUid())) {
            problems.addAll(checkAccessEvent(access, events));
          }
        }
      }
    }
    System.out.printf("[it] QueryRetrieveIT %d StudyAccessed events checked in annal.messages%n", accesses.size());
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  @Order(32)
  void historyListsTheEventsInOrderWithTheirChainAndAsOfReplaysThem() throws IOException {
    Access access = accesses.stream().filter(a -> a.how().equals("C-GET")).findFirst()
        .orElseThrow();
    String uid = access.study();
    String path = "/api/studies/" + uid;
    StudyApi.Response response = api.get(path + "/history");
    assertEquals(200, response.status(), response.body());
    JsonNode events = new ObjectMapper().readTree(response.body()).path("events");
    List<String> problems = new ArrayList<>();
    String prev = "";
    List<JsonNode> accessed = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      JsonNode e = events.get(i);
      if (e.path("sequenceNr").asLong() != i + 1) {
        problems.add("event " + i + " has sequenceNr " + e.path("sequenceNr"));
      }
      if (!e.path("prevHash").asText().equals(prev)) {
        problems.add("event " + (i + 1) + " prevHash " + e.path("prevHash") + " != " + prev);
      }
      if (!e.path("hash").asText().matches("[0-9a-f]{64}")) {
        problems.add("event " + (i + 1) + " hash " + e.path("hash"));
      }
      prev = e.path("hash").asText();
      if (!e.path("actor").path("peerAddress").asText().matches("[0-9A-Za-z.:\\[\\]-]+:[0-9]+")) {
        problems.add("event " + (i + 1) + " peer address " + e.path("actor").path("peerAddress"));
      }
      if (e.path("type").asText().equals("StudyAccessed/1")) {
        accessed.add(e);
      } else if (!e.path("type").asText().equals("InstanceStored/1")
          || e.path("actor").path("callingAeTitle").asText().isEmpty()) {
        problems.add("event " + (i + 1) + ": " + e);
      }
    }
    List<String> expectedAccessors = accesses.stream().filter(a -> a.study().equals(uid))
        .map(Access::callingAe).toList();
    List<String> accessors = accessed.stream()
        .map(e -> e.path("actor").path("callingAeTitle").asText()).toList();
    if (!accessors.equals(expectedAccessors)) {
      problems.add("StudyAccessed actors " + accessors + ", expected " + expectedAccessors);
    }
    int total = events.size();
    if (api.study(uid).json().path("eventCount").asInt() != total) {
      problems.add("history has " + total + " events, the state counts "
          + api.study(uid).json().path("eventCount"));
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));

    // As of just before the first access: every event before it; as of its time: it too.
    JsonNode first = accessed.get(0);
    long firstAt = java.time.Instant.parse(first.path("timestamp").asText()).toEpochMilli();
    int before = first.path("sequenceNr").asInt() - 1;
    JsonNode earlier = new ObjectMapper().readTree(
        api.get(path + "?asOf=" + java.time.Instant.ofEpochMilli(firstAt - 1)).body());
    assertEquals(before, earlier.path("eventCount").asInt(), earlier.toString());
    JsonNode at = new ObjectMapper().readTree(api.get(path + "?asOf=" + firstAt).body());
    assertEquals(before + 1, at.path("eventCount").asInt());
    JsonNode beforeAll = new ObjectMapper().readTree(api.get(path + "?asOf=0").body());
    assertEquals(0, beforeAll.path("eventCount").asInt());
    assertEquals(400, api.get(path + "?asOf=yesterday").status());
    assertEquals(404, api.get("/api/studies/1.2.3.999999/history").status());
    // The same from the CLI: a header and one line per event, the C-GET where it belongs.
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code = org.annal.app.Main.execute(new java.io.PrintWriter(out, true),
        new java.io.PrintWriter(err, true), "history", uid, "--http", "127.0.0.1:" + node.httpPort());
    assertEquals(0, code, err.toString());
    List<String> lines = out.toString().lines().toList();
    assertEquals(total + 1, lines.size(), out.toString());
    String accessLine = lines.get(first.path("sequenceNr").asInt());
    assertTrue(accessLine.contains("StudyAccessed/1") && accessLine.contains(access.how())
        && accessLine.contains(access.callingAe()), accessLine);
    assertEquals(2, org.annal.app.Main.execute(new java.io.PrintWriter(new java.io.StringWriter()),
        new java.io.PrintWriter(new java.io.StringWriter()), "history", "1.2.3.999999", "--http",
        "127.0.0.1:" + node.httpPort()));
    System.out.printf("[it] QueryRetrieveIT history of %s: %d events, %d accesses, as-of and CLI checked%n",
        uid, total, accessed.size());
  }

  @Test
  @Order(33)
  void theChangeFeedListsEveryEventOnceInOffsetOrderPageByPage() throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, Integer> perStudy = new TreeMap<>();
    List<String> offsets = new ArrayList<>();
    String after = null;
    List<String> problems = new ArrayList<>();
    for (int pages = 0; pages < 1000; pages++) {
      StudyApi.Response r = api.get("/api/changes?limit=97" + (after == null ? "" : "&after=" + after));
      assertEquals(200, r.status(), r.body());
      JsonNode page = json.readTree(r.body());
      JsonNode changes = page.path("changes");
      for (JsonNode c : changes) {
        String study = c.path("studyInstanceUid").asText();
        int seq = c.path("sequenceNr").asInt();
        // Per study, the feed gives the journal's order: 1, 2, 3, ...
        if (seq != perStudy.getOrDefault(study, 0) + 1) {
          problems.add(study + ": sequenceNr " + seq + " after " + perStudy.get(study));
        }
        perStudy.put(study, seq);
        offsets.add(c.path("offset").asText());
      }
      if (changes.size() == 0) {
        break;
      }
      after = page.path("next").asText();
    }
    Map<String, Integer> expected = eventCounts();
    assertEquals(expected, perStudy, String.join("\n", problems));
    assertEquals(offsets.size(), new java.util.HashSet<>(offsets).size(), "an event listed twice");
    assertTrue(problems.isEmpty(), String.join("\n", problems));
    assertEquals(400, api.get("/api/changes?after=not-an-offset").status());
    System.out.printf("[it] QueryRetrieveIT change feed: %d events of %d studies in pages of 97%n",
        offsets.size(), perStudy.size());
  }

  @Test
  @Order(31)
  void everyQueryIsInTheAuditLog() {
    Path auditLog = node.dataDir().resolve("logs").resolve("audit.log");
    Await.until(Duration.ofSeconds(20), "an audit line for each of " + audited.size() + " queries",
        () -> audited.stream().allMatch(a -> !auditLines(auditLog, a.callingAe()).isEmpty()),
        () -> ExternalTool.tail(ExternalTool.read(auditLog), 20));
    List<String> problems = new ArrayList<>();
    for (Audited a : audited) {
      List<Map<String, String>> lines = auditLines(auditLog, a.callingAe());
      if (lines.size() != 1) {
        problems.add(a.callingAe() + ": " + lines.size() + " audit lines " + lines);
        continue;
      }
      Map<String, String> line = lines.get(0);
      String outcome = line.getOrDefault("outcome", "");
      // What the peer was told: Success, or the final status it received.
      String expectedOutcome = a.find().status() == 0 ? "completed" : String.format("status %04X", a.find().status());
      if (!line.getOrDefault("level", "").equals(a.level())
          || !line.getOrDefault("matches", "").equals(Integer.toString(a.find().responses().size()))
          || !outcome.startsWith(expectedOutcome)
          || !line.getOrDefault("keys", "").contains(a.keyFragment())) {
        problems.add(a.callingAe() + ": audit " + line + "; expected level " + a.level() + ", matches "
            + a.find().responses().size() + ", outcome " + expectedOutcome + "…, keys containing " + a.keyFragment());
      }
    }
    System.out.printf("[it] QueryRetrieveIT %d C-FIND audit lines checked%n", audited.size());
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  @Order(40)
  void reindexGivesTheSameAnswers() {
    ExternalTool.Run help = node.cli("reindex-help.log", List.of("reindex", "--help"));
    assumeTrue(help.exitCode() == 0, "`annal reindex` does not exist yet (exit " + help.exitCode() + ")");
    assertEquals(0, node.stop(), "exit code after SIGTERM\n" + node.tail(40));
    ExternalTool.Run reindex = node.cli("reindex.log", List.of("reindex", "--data-dir", node.dataDir().toString(),
        "--config", lastConfig().toString()));
    assertEquals(0, reindex.exitCode(), reindex.describe());
    node.start();
    Await.until(Duration.ofSeconds(120), "the rebuilt index to hold every study",
        () -> indexedCounts().equals(expectedCounts()), () -> "indexed " + indexedCounts() + "\n" + node.tail(20));
    List<String> problems = new ArrayList<>();
    for (Replay replay : replays) {
      List<String> now = normalized(replay.again().get());
      if (!now.equals(replay.answers())) {
        problems.add(replay.name() + ": before " + replay.answers() + "\nafter " + now);
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  // ------------------------------------------------------------------------------------ helpers: C-FIND

  private Find findStudies(String name, Map<String, String> match) {
    return find(name, DcmtkQr.STUDY_ROOT, "STUDY", match, STUDY_RETURN_KEYS);
  }

  /**
   * findscu with {@code match} (keyword → value) and {@code returnKeys} (empty), matching keys
   * winning over return keys of the same name.
   */
  private Find find(String name, String model, String level, Map<String, String> match, List<String> returnKeys) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("QueryRetrieveLevel", level);
    returnKeys.forEach(k -> keys.put(k, ""));
    keys.putAll(new TreeMap<>(match));
    List<String> args = keys.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    String fragment = match.isEmpty() ? "" : new TreeMap<>(match).firstEntry().getKey() + "="
        + new TreeMap<>(match).firstEntry().getValue();
    return run(name, level, fragment, number -> DcmtkQr.findscu(findDirectory(name, number), node.dicomPort(), model,
        String.format("QRF%02d", number), args, null));
  }

  /** A STUDY level query by PatientName in {@code charsetTerm}, the value's bytes from a query file. */
  private Find findStudiesByName(String name, String charsetTerm, Charset charset, String patientName) {
    List<String> args = STUDY_RETURN_KEYS.stream().filter(k -> !k.equals("PatientName")).map(k -> k + "=").toList();
    return run(name, "STUDY", "PatientName=" + patientName, number -> {
      Path file = findDirectory(name, number).resolve("query.dcm");
      QrData.writeQuery(file, "1.2.840.10008.5.1.4.1.2.2.1", charset, List.of(
          new QrData.QueryKey(SPECIFIC_CHARACTER_SET, "CS", charsetTerm),
          new QrData.QueryKey(QUERY_RETRIEVE_LEVEL, "CS", "STUDY"),
          new QrData.QueryKey(PATIENT_NAME, "PN", patientName)));
      return DcmtkQr.findscu(findDirectory(name, number), node.dicomPort(), DcmtkQr.STUDY_ROOT,
          String.format("QRF%02d", number), args, file);
    });
  }

  private Path findDirectory(String name, int number) {
    return node.workDir().resolve("find").resolve(String.format("%02d-%s", number, name));
  }

  /**
   * Runs query number {@code ++queries} (its calling AE title QRFnn, its own directory) and
   * remembers it for the audit log check and for the replay after a reindex.
   */
  private Find run(String name, String level, String keyFragment, java.util.function.IntFunction<Find> query) {
    int number = ++queries;
    Find find = query.apply(number);
    audited.add(new Audited(String.format("QRF%02d", number), level, find, keyFragment));
    replays.add(new Replay(name, () -> query.apply(++queries), normalized(find)));
    return find;
  }

  private static List<String> normalized(Find find) {
    List<String> out = new ArrayList<>();
    find.responses().forEach(r -> out.add(r.toString()));
    out.sort(null);
    out.add(String.format("final: %04X", find.status()));
    return out;
  }

  /** The node answered exactly {@code studies}, each with the values the model says. */
  private void assertStudies(Find find, Study... studies) {
    assertEquals(0x0000, find.status(), find.describe());
    Map<String, Response> byUid = new TreeMap<>();
    for (Response r : find.responses()) {
      assertEquals(null, byUid.put(r.get(STUDY_INSTANCE_UID), r), "study answered twice " + find.describe());
    }
    Set<String> expected = new TreeSet<>(Arrays.stream(studies).map(Study::studyInstanceUid).toList());
    assertEquals(expected, byUid.keySet(), "studies answered\n" + labels(studies) + "\n" + find.describe());
    List<String> problems = new ArrayList<>();
    for (Study s : studies) {
      Response r = byUid.get(s.studyInstanceUid());
      expect(problems, s.accession(), r, PATIENT_NAME, s.patient().name());
      expect(problems, s.accession(), r, PATIENT_ID, s.patient().id());
      expect(problems, s.accession(), r, STUDY_DATE, s.date());
      expect(problems, s.accession(), r, STUDY_TIME, s.time());
      expect(problems, s.accession(), r, ACCESSION_NUMBER, s.accession());
      expect(problems, s.accession(), r, STUDY_DESCRIPTION, s.description());
      expect(problems, s.accession(), r, STUDY_RELATED_SERIES, Integer.toString(s.series().size()));
      expect(problems, s.accession(), r, STUDY_RELATED_INSTANCES, Integer.toString(s.instanceCount()));
      expect(problems, s.accession(), r, QUERY_RETRIEVE_LEVEL, "STUDY");
      String modalities = r.get(MODALITIES_IN_STUDY);
      if (modalities == null || !new TreeSet<>(List.of(modalities.split("\\\\"))).equals(new TreeSet<>(s.modalities()))) {
        problems.add(s.accession() + ": ModalitiesInStudy " + modalities + ", expected " + s.modalities());
      }
      String charset = r.get(SPECIFIC_CHARACTER_SET);
      if (s.patient().charset() == null && charset != null && !charset.isEmpty()) {
        problems.add(s.accession() + ": ASCII answer declares Specific Character Set " + charset);
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n" + find.describe());
  }

  private void assertSeries(Find find, Study study, List<Series> series) {
    assertEquals(0x0000, find.status(), find.describe());
    Map<String, Response> byUid = new TreeMap<>();
    find.responses().forEach(r -> byUid.put(r.get(SERIES_INSTANCE_UID), r));
    assertEquals(series.size(), find.responses().size(), find.describe());
    assertEquals(new TreeSet<>(series.stream().map(Series::seriesInstanceUid).toList()), byUid.keySet(), find.describe());
    List<String> problems = new ArrayList<>();
    for (Series s : series) {
      Response r = byUid.get(s.seriesInstanceUid());
      String label = "series " + s.number();
      expect(problems, label, r, STUDY_INSTANCE_UID, study.studyInstanceUid());
      expect(problems, label, r, MODALITY, s.modality());
      expect(problems, label, r, SERIES_NUMBER, Integer.toString(s.number()));
      expect(problems, label, r, SERIES_DESCRIPTION, s.description());
      expect(problems, label, r, SERIES_RELATED_INSTANCES, Integer.toString(s.instances().size()));
      expect(problems, label, r, QUERY_RETRIEVE_LEVEL, "SERIES");
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n" + find.describe());
  }

  private void assertImages(Find find, Series series, List<QrData.Instance> instances) {
    assertEquals(0x0000, find.status(), find.describe());
    Map<String, Response> byUid = new TreeMap<>();
    find.responses().forEach(r -> byUid.put(r.get(SOP_INSTANCE_UID), r));
    assertEquals(instances.size(), find.responses().size(), find.describe());
    assertEquals(new TreeSet<>(instances.stream().map(QrData.Instance::sopInstanceUid).toList()), byUid.keySet(),
        find.describe());
    List<String> problems = new ArrayList<>();
    for (QrData.Instance i : instances) {
      Response r = byUid.get(i.sopInstanceUid());
      String label = "instance " + i.number();
      expect(problems, label, r, SOP_CLASS_UID, series.sopClassUid());
      expect(problems, label, r, INSTANCE_NUMBER, Integer.toString(i.number()));
      expect(problems, label, r, SERIES_INSTANCE_UID, series.seriesInstanceUid());
      expect(problems, label, r, QUERY_RETRIEVE_LEVEL, "IMAGE");
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n" + find.describe());
  }

  private void assertPatients(Find find, Map<Patient, List<Study>> patients) {
    assertEquals(0x0000, find.status(), find.describe());
    Map<String, Response> byId = new TreeMap<>();
    find.responses().forEach(r -> byId.put(r.get(PATIENT_ID), r));
    assertEquals(patients.size(), find.responses().size(), find.describe());
    assertEquals(new TreeSet<>(patients.keySet().stream().map(Patient::id).toList()), byId.keySet(), find.describe());
    List<String> problems = new ArrayList<>();
    patients.forEach((p, studies) -> {
      Response r = byId.get(p.id());
      expect(problems, p.id(), r, PATIENT_NAME, p.name());
      expect(problems, p.id(), r, PATIENT_SEX, p.sex());
      expect(problems, p.id(), r, PATIENT_BIRTH_DATE, p.birthDate());
      expect(problems, p.id(), r, PATIENT_RELATED_STUDIES, Integer.toString(studies.size()));
      expect(problems, p.id(), r, PATIENT_RELATED_SERIES,
          Integer.toString(studies.stream().mapToInt(s -> s.series().size()).sum()));
      expect(problems, p.id(), r, PATIENT_RELATED_INSTANCES,
          Integer.toString(studies.stream().mapToInt(Study::instanceCount).sum()));
      expect(problems, p.id(), r, QUERY_RETRIEVE_LEVEL, "PATIENT");
    });
    assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n" + find.describe());
  }

  private static void assertFailed(Find find) {
    // A900 (Identifier does not match SOP Class) or Cxxx (Unable to process), PS3.4 Table C.4-1.
    assertTrue(find.status() == 0xA900 || (find.status() & 0xF000) == 0xC000,
        "A900 or Cxxx expected\n" + find.describe());
    assertEquals(0, find.responses().size(), find.describe());
  }

  private static void expect(List<String> problems, String label, Response r, int tag, String expected) {
    String actual = r.get(tag);
    if (!expected.equals(actual)) {
      problems.add(String.format("%s: (%04X,%04X) is %s, expected %s", label, tag >>> 16, tag & 0xFFFF,
          actual == null ? "absent" : "\"" + actual + "\"", expected));
    }
  }

  private String labels(Study... studies) {
    return Arrays.stream(studies).map(s -> s.accession() + "=" + s.studyInstanceUid()).collect(Collectors.joining(", "));
  }

  /** NumberOfStudyRelatedInstances of every study, by UID-list queries of at most MAX_RESULTS UIDs. */
  private Map<String, String> indexedCounts() {
    Map<String, String> out = new TreeMap<>();
    List<Study> all = data.studies();
    for (int from = 0; from < all.size(); from += MAX_RESULTS) {
      String uids = all.subList(from, Math.min(all.size(), from + MAX_RESULTS)).stream()
          .map(Study::studyInstanceUid).collect(Collectors.joining("\\"));
      Find find = DcmtkQr.findscu(node.workDir().resolve("find").resolve("wait-" + from), node.dicomPort(),
          DcmtkQr.STUDY_ROOT, "QRWAIT", List.of("QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + uids,
              "NumberOfStudyRelatedInstances="), null);
      clean(node.workDir().resolve("find").resolve("wait-" + from).resolve("responses"));
      find.responses().forEach(r -> out.put(r.get(STUDY_INSTANCE_UID), r.get(STUDY_RELATED_INSTANCES)));
    }
    return out;
  }

  private Map<String, String> expectedCounts() {
    Map<String, String> out = new TreeMap<>();
    data.studies().forEach(s -> out.put(s.studyInstanceUid(), Integer.toString(s.instanceCount())));
    return out;
  }

  private static void clean(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------------------------ helpers: retrieve

  private String nextRetrieveAe(String kind) {
    return String.format("QR%s%02d", kind, ++retrieves);
  }

  /**
   * movescu to a fresh storescp; checks that exactly the instances of {@code studies} arrived, each
   * data set byte for byte the stored one, and records one access per study.
   */
  private Retrieve move(String name, String model, List<String> options, List<String> keys, List<Study> studies) {
    Path dir = node.workDir().resolve(name);
    Path out = dir.resolve("received");
    ExternalTool.Started scp = DcmtkQr.storescp(dir, out, destinationPort, DESTINATION);
    String ae = nextRetrieveAe("M");
    Retrieve move;
    try {
      move = DcmtkQr.movescu(dir.resolve("movescu.log"), node.dicomPort(), model, ae, DESTINATION, options, keys);
    } finally {
      stop(scp);
    }
    Map<String, byte[]> received = DcmtkQr.receivedDataSets(out);
    for (Study study : studies) {
      Set<String> sops = new TreeSet<>();
      study.instances().forEach(i -> sops.add(i.sopInstanceUid()));
      sops.retainAll(received.keySet());
      if (sops.isEmpty()) {
        continue; // not touched: no event (asserted below anyway)
      }
      accesses.add(new Access(study.studyInstanceUid(), "C-MOVE", ae, DESTINATION, sops, sops.size(),
          study.instanceCount(), false, move.status()));
    }
    Set<String> expected = new TreeSet<>();
    studies.forEach(s -> s.instances().forEach(i -> expected.add(i.sopInstanceUid())));
    assertEquals(expected, new TreeSet<>(received.keySet()), "instances at the destination\n" + move.describe());
    assertSameAsStored(received, name);
    return move;
  }

  /** getscu into its own directory; the same checks as {@link #move}. */
  private Retrieve get(String name, List<String> keys, Study study, List<QrData.Instance> instances) {
    Path dir = node.workDir().resolve(name);
    Path out = dir.resolve("received");
    String ae = nextRetrieveAe("G");
    Retrieve get = DcmtkQr.getscu(dir.resolve("getscu.log"), out, node.dicomPort(), DcmtkQr.STUDY_ROOT, ae, keys);
    Map<String, byte[]> received = DcmtkQr.receivedDataSets(out);
    Set<String> sops = new TreeSet<>(received.keySet());
    accesses.add(new Access(study.studyInstanceUid(), "C-GET", ae, ae, sops, sops.size(), instances.size(), false,
        get.status()));
    assertEquals(new TreeSet<>(instances.stream().map(QrData.Instance::sopInstanceUid).toList()), sops,
        "instances received\n" + get.describe());
    assertSameAsStored(received, name);
    return get;
  }

  private void assertSameAsStored(Map<String, byte[]> received, String what) {
    List<String> problems = new ArrayList<>();
    received.forEach((sop, dataSet) -> {
      byte[] original = stored.get(sop);
      if (original == null) {
        problems.add(sop + ": not an instance of this test");
      } else {
        long difference = Part10File.firstDifference(dataSet, original);
        if (difference >= 0) {
          problems.add(sop + ": received data set (" + dataSet.length + " bytes) differs from the stored one ("
              + original.length + " bytes) from byte " + difference);
        }
      }
    });
    assertTrue(problems.isEmpty(), what + ": " + problems.size() + " data set(s) differ:\n" + String.join("\n", problems));
  }

  private static void stop(ExternalTool.Started scp) {
    scp.process().destroy();
    try {
      if (!scp.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        scp.process().destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Map<String, String> shas(StudyApi.Study study) {
    Map<String, String> out = new TreeMap<>();
    study.instances().forEach((sop, i) -> out.put(sop, i.sha256()));
    return out;
  }

  // ------------------------------------------------------------------------------------ helpers: events, audit

  private Map<String, Integer> eventCounts() {
    Map<String, Integer> out = new TreeMap<>();
    for (Study study : data.studies()) {
      try {
        JsonNode body = json.readTree(api.studyResponse(study.studyInstanceUid()).body());
        out.put(study.studyInstanceUid(), body.path("eventCount").asInt(-1));
      } catch (IOException e) {
        out.put(study.studyInstanceUid(), -1);
      }
    }
    return out;
  }

  private static JsonNode decode(ObjectMapper cbor, ByteBuffer event) {
    byte[] bytes = new byte[event.remaining()];
    event.duplicate().get(bytes);
    try {
      if (bytes.length > 2 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B) {
        // Pekko's Jackson serializer gzips large payloads.
        bytes = new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes();
      }
      return cbor.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The one StudyAccessed event of {@code access} (matched by the calling AE title) and its contents. */
  private static List<String> checkAccessEvent(Access access, List<JsonNode> events) {
    List<String> problems = new ArrayList<>();
    List<JsonNode> matching = events.stream()
        .filter(e -> e.path("type").asText().equals("StudyAccessed/1"))
        .filter(e -> e.path("access").path("requester").path("callingAeTitle").asText().equals(access.callingAe()))
        .toList();
    String label = access.how() + " by " + access.callingAe() + " of " + access.study();
    if (matching.size() != 1) {
      problems.add(label + ": " + matching.size() + " StudyAccessed events with that calling AE");
      return problems;
    }
    JsonNode a = matching.get(0).path("access");
    if (!a.path("how").asText().equals(access.how())) {
      problems.add(label + ": how = " + a.path("how"));
    }
    if (!a.path("destinationAeTitle").asText().equals(access.destination())) {
      problems.add(label + ": destinationAeTitle = " + a.path("destinationAeTitle"));
    }
    if (a.path("completed").size() != access.completedCount()) {
      problems.add(label + ": " + a.path("completed").size() + " completed in the event, the peer was told "
          + access.completedCount());
    }
    if (access.completed() != null && !strings(a.path("completed")).equals(access.completed())) {
      problems.add(label + ": completed " + strings(a.path("completed")) + ", received " + access.completed());
    }
    if (a.path("failed").size() != access.selected() - access.completedCount()) {
      problems.add(label + ": " + a.path("failed").size() + " failed in the event; " + access.selected()
          + " selected, " + access.completedCount() + " completed");
    }
    if (a.path("cancelled").asBoolean() != access.cancelled()) {
      problems.add(label + ": cancelled = " + a.path("cancelled"));
    }
    if (!a.path("status").asText().equalsIgnoreCase(String.format("%04X", access.status()))) {
      problems.add(label + ": status " + a.path("status") + ", the peer was told " + String.format("%04X", access.status()));
    }
    if (!a.path("requester").path("calledAeTitle").asText().equals(AnnalNode.AE_TITLE)) {
      problems.add(label + ": requester.calledAeTitle = " + a.path("requester").path("calledAeTitle"));
    }
    return problems;
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** The key/value pairs of each audit.log line (logback JsonEncoder "kvpList") with event=query from {@code callingAe}. */
  private List<Map<String, String>> auditLines(Path auditLog, String callingAe) {
    List<Map<String, String>> out = new ArrayList<>();
    for (String line : ExternalTool.read(auditLog).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Map<String, String> pairs = new LinkedHashMap<>();
      try {
        JsonNode kvp = json.readTree(line).path("kvpList");
        if (kvp.isArray()) {
          kvp.forEach(pair -> pair.fields().forEachRemaining(e -> pairs.put(e.getKey(), e.getValue().asText())));
        } else if (kvp.isObject()) {
          for (Iterator<Map.Entry<String, JsonNode>> it = kvp.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            pairs.put(e.getKey(), e.getValue().asText());
          }
        }
      } catch (IOException e) {
        continue; // a line being written
      }
      if ("query".equals(pairs.get("event")) && callingAe.equals(pairs.get("calling_ae"))) {
        out.add(pairs);
      }
    }
    return out;
  }

  /** The config file of the node's last start (annal-N.conf, N highest). */
  private Path lastConfig() {
    try (Stream<Path> files = Files.list(node.workDir())) {
      return files.filter(f -> f.getFileName().toString().matches("annal-\\d+\\.conf"))
          .max((a, b) -> Integer.compare(number(a), number(b))).orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int number(Path config) {
    String name = config.getFileName().toString();
    return Integer.parseInt(name.substring("annal-".length(), name.length() - ".conf".length()));
  }
}
