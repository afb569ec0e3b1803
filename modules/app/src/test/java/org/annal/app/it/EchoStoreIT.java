// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.annal.app.it.StorescuLog.FileResult;
import org.annal.app.it.StorescuLog.Outcome;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * C-ECHO and C-STORE from DCMTK against a real node (embedded Cassandra): every test file of
 * /work/shared/testdata/dicom, in its own transfer syntax and re-encoded by storescu to Implicit VR
 * LE, Explicit VR LE and Explicit VR BE; then the study state and the blob of each instance the
 * peer was told is stored, byte for byte against what storescu put on the wire (captured by a
 * bit-preserving storescp, see {@link Dcmtk}); duplicates; two damaged files sent raw.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EchoStoreIT {
  static final Path TEST_DATA = Path.of(System.getProperty("annal.it.testdata", "/work/shared/testdata/dicom"));
  /** Damaged on purpose: sent raw by {@link #damagedFilesGetACleanAnswer()}, not by storescu. */
  static final Set<String> DAMAGED = Set.of("MR_truncated.dcm", "badVR.dcm");
  /** Syntaxes storescu can convert from (it has no JPEG/JPEG-LS/JPEG 2000/RLE codecs here). */
  static final Set<String> CONVERTIBLE = Set.of(
      Dcmtk.IMPLICIT_LE, Dcmtk.EXPLICIT_LE, Dcmtk.EXPLICIT_BE, "1.2.840.10008.1.2.1.99");

  /** Closed once every test has run (kills what is still alive); null if never created. */
  @AutoClose private AnnalNode node;
  private StudyApi api;
  private BlobFiles blobs;
  private StoredInstances stored;
  private Path profiles;
  private List<Path> testFiles;
  /** Everything the node said it stored so far, for the final verify. */
  private final List<StoredInstances.Expected> storedSoFar = new ArrayList<>();

  @BeforeAll
  void startNode() throws IOException {
    for (String tool : List.of("echoscu", "storescu", "storescp", "dcmdump", "dcmodify")) {
      ExternalTool.assumeInstalled(tool);
    }
    try (Stream<Path> files = Files.list(TEST_DATA)) {
      testFiles = files.filter(f -> f.toString().endsWith(".dcm"))
          .filter(f -> !DAMAGED.contains(f.getFileName().toString())).sorted().toList();
    }
    assertTrue(testFiles.size() >= 10, "test data missing under " + TEST_DATA);
    node = new AnnalNode("EchoStoreIT", List.of());
    Map<Path, Dcmtk.Uids> uids = Dcmtk.uids(node.workDir().resolve("dcmdump-testdata.log"), testFiles);
    Set<String> sopClasses = new HashSet<>();
    uids.values().forEach(u -> sopClasses.add(u.sopClassUid()));
    profiles = Dcmtk.writeProfiles(node.workDir().resolve("storescu-profiles.cfg"), sopClasses);
    node.start();
    api = new StudyApi(node.httpPort());
    blobs = new BlobFiles(node.dataDir());
    stored = new StoredInstances(api, blobs);
  }

  @Test
  @Order(1)
  void healthAnswers() {
    StudyApi.Response health = api.health();
    assertEquals(200, health.status(), "GET /api/health: " + health.body());
  }

  @Test
  @Order(2)
  void echoSucceeds() {
    ExternalTool.Run echo = Dcmtk.echoscu(node.workDir().resolve("echoscu.log"), node.dicomPort(), AnnalNode.AE_TITLE);
    assertEquals(0, echo.exitCode(), echo.describe());
    assertTrue(echo.output().contains("Received Echo Response (Success)"), echo.describe());
  }

  @Test
  @Order(3)
  void unknownStudyIs404() {
    StudyApi.Response response = api.studyResponse("1.2.826.0.1.3680043.8.498.1");
    assertEquals(404, response.status(), response.body());
  }

  @Test
  @Order(4)
  void storesEveryTestFileInItsOwnTransferSyntax() {
    scenario("as-is", testFiles, "AsIs");
  }

  @Test
  @Order(5)
  void storesEveryTestFileAsImplicitLittleEndian() {
    scenario("implicit-le", freshCopies("implicit-le"), "OnlyLEI");
  }

  @Test
  @Order(6)
  void storesEveryTestFileAsExplicitLittleEndian() {
    scenario("explicit-le", freshCopies("explicit-le"), "OnlyLEE");
  }

  @Test
  @Order(7)
  void storesEveryTestFileAsExplicitBigEndian() {
    scenario("explicit-be", freshCopies("explicit-be"), "OnlyBEE");
  }

  @Test
  @Order(8)
  void duplicateIsStoredOnce() {
    Path dir = node.workDir().resolve("duplicate");
    List<Path> copy = Dcmtk.copyWithFreshUids(dir.resolve("files"), List.of(TEST_DATA.resolve("CT_small.dcm")));
    Dcmtk.Uids uids = Dcmtk.uids(dir.resolve("dcmdump.log"), copy).get(copy.get(0));
    int blobsBefore = blobs.count();

    // Twice in one association, then once more in another.
    ExternalTool.Run first = ExternalTool.run(dir.resolve("storescu-twice.log"), Duration.ofSeconds(120),
        Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of("-xf", profiles.toString(), "AsIs"),
            List.of(copy.get(0), copy.get(0))));
    assertEquals(2, countResponses(first.output(), "Success") + countResponses(first.output(), "Warning"),
        "both sends answered Success or Warning\n" + first.describe());
    stored.refresh();
    StudyApi.Study study = stored.study(uids.studyInstanceUid());
    assertEquals(1, study.listings().getOrDefault(uids.sopInstanceUid(), 0), "listed once: " + study.body());
    String sha = study.instances().get(uids.sopInstanceUid()).sha256();
    // The duplicate's blob, if one was written before the entity said "duplicate", must go.
    Await.until(Duration.ofSeconds(15), "exactly one new blob file",
        () -> blobs.count() == blobsBefore + 1, () -> "blob files: before " + blobsBefore + ", now " + blobs.count());

    ExternalTool.Run again = ExternalTool.run(dir.resolve("storescu-again.log"), Duration.ofSeconds(120),
        Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of("-xf", profiles.toString(), "AsIs"), copy));
    assertEquals(1, countResponses(again.output(), "Success") + countResponses(again.output(), "Warning"), again.describe());
    stored.refresh();
    StudyApi.Study after = stored.study(uids.studyInstanceUid());
    assertEquals(1, after.listings().getOrDefault(uids.sopInstanceUid(), 0), "listed once: " + after.body());
    assertEquals(sha, after.instances().get(uids.sopInstanceUid()).sha256(), "the first copy stays the stored one");
    Await.until(Duration.ofSeconds(15), "still exactly one new blob file",
        () -> blobs.count() == blobsBefore + 1, () -> "blob files: before " + blobsBefore + ", now " + blobs.count());

    Dcmtk.Reference reference = Dcmtk.capture(dir.resolve("reference"), profiles, "AsIs", copy);
    StoredInstances.Expected expected = new StoredInstances.Expected("duplicate/CT_small.dcm", uids.studyInstanceUid(),
        uids.sopInstanceUid(), Dcmtk.EXPLICIT_LE, reference.dataSets().get(uids.sopInstanceUid()));
    storedSoFar.add(expected);
    List<String> problems = stored.check(expected);
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  @Order(9)
  void annalEchoAndStoreCommands() {
    ExternalTool.Run echo = node.cli("annal-echo.log", List.of(
        "echo", "--port", Integer.toString(node.dicomPort()), "--aec", AnnalNode.AE_TITLE));
    assertEquals(0, echo.exitCode(), echo.describe());
    assertTrue(echo.output().contains("Success"), echo.describe());

    SyntheticCtSeries.Series series = SyntheticCtSeries.write(List.of(node.workDir().resolve("annal-store")), 6, "ANNALSTORE");
    ExternalTool.Run store = node.cli("annal-store.log", List.of(
        "store", "--port", Integer.toString(node.dicomPort()), "--aec", AnnalNode.AE_TITLE, "--associations", "2",
        node.workDir().resolve("annal-store").toString()));
    assertEquals(0, store.exitCode(), store.describe());
    assertTrue(store.output().contains("sent 6, ok 6, warning 0, failed 0"), store.describe());
    stored.refresh();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < series.files().size(); i++) {
      StoredInstances.Expected expected = new StoredInstances.Expected("annal-store/" + series.files().get(i).getFileName(),
          series.studyInstanceUid(), series.sopInstanceUids().get(i), Dcmtk.EXPLICIT_LE,
          Part10File.read(series.files().get(i)).dataSet());
      problems.addAll(stored.check(expected));
      storedSoFar.add(expected);
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));

    // Nobody listens there: every file fails, and the exit code says so.
    ExternalTool.Run refused = node.cli("annal-store-refused.log", List.of(
        "store", "--port", Integer.toString(FreePorts.next()), "--aec", AnnalNode.AE_TITLE,
        series.files().get(0).toString()));
    assertNotEquals(0, refused.exitCode(), refused.describe());
  }

  @Test
  @Order(10)
  void damagedFilesGetACleanAnswer() throws IOException {
    List<String> problems = new ArrayList<>();
    problems.addAll(sendDamaged("MR_truncated.dcm", "1.2.840.10008.5.1.4.1.1.4",
        "1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457", "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457"));
    problems.addAll(sendDamaged("badVR.dcm", "1.2.840.10008.5.1.4.1.1.481.2",
        "1.9.999.999.99.9.9999.9999.20030818153516", "1.2.999.999.99.9.9999.8888"));
    ExternalTool.Run echo = Dcmtk.echoscu(node.workDir().resolve("echoscu-after-damaged.log"), node.dicomPort(), AnnalNode.AE_TITLE);
    if (echo.exitCode() != 0) {
      problems.add("echoscu after the damaged files failed:\n" + echo.describe());
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  @Order(11)
  void everythingIsStillThereAndVerifyPassesAfterAGracefulStop() {
    stored.refresh();
    List<String> problems = new ArrayList<>();
    for (StoredInstances.Expected expected : storedSoFar) {
      problems.addAll(stored.check(expected));
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));

    assertEquals(0, node.stop(), "exit code after SIGTERM\n" + node.tail(40));
    ExternalTool.Run verify = node.verify("verify.log");
    assertEquals(0, verify.exitCode(), verify.describe());
    Map<String, Long> summary = AnnalNode.verifySummary(verify);
    assertEquals((long) storedSoFar.size(), summary.get("instances"), verify.describe());
    assertEquals((long) storedSoFar.size(), summary.get("ok"), verify.describe());
  }

  /**
   * Sends {@code files} with one storescu association using {@code profile}, then checks each
   * file's fate against what the node must do with it.
   */
  private void scenario(String name, List<Path> files, String profile) {
    Path dir = node.workDir().resolve(name);
    Map<Path, Dcmtk.Uids> uids = Dcmtk.uids(dir.resolve("dcmdump.log"), files);
    long begin = System.nanoTime();
    ExternalTool.Run run = ExternalTool.run(dir.resolve("storescu.log"), Duration.ofSeconds(300),
        Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of("-xf", profiles.toString(), profile), files));
    System.out.printf("[it] EchoStoreIT %s: storescu of %d files took %.1f s%n", name, files.size(), (System.nanoTime() - begin) / 1e9);
    assertTrue(run.output().contains("Association Accepted"), "association not accepted\n" + run.describe());
    Map<String, FileResult> results = StorescuLog.parse(run.output());

    List<String> problems = new ArrayList<>();
    // First file answered Success for each SOP Instance UID: the one that must be stored.
    Map<String, Path> firstStored = new LinkedHashMap<>();
    Map<String, FileResult> resultOfFirst = new LinkedHashMap<>();
    for (Path file : files) {
      FileResult result = results.get(file.toString());
      Dcmtk.Uids fileUids = uids.get(file);
      if (fileUids == null) {
        // Not a storable file (no SOP class/instance, unreadable): storescu must not have sent it.
        if (result != null && result.outcome() != Outcome.SKIPPED) {
          problems.add(file.getFileName() + ": not storable, yet storescu says " + result);
        }
        continue;
      }
      if (result == null) {
        problems.add(file.getFileName() + ": storescu says nothing about it\n" + ExternalTool.tail(run.output(), 30));
        continue;
      }
      switch (result.outcome()) {
        case SUCCESS, WARNING -> {
          if (!firstStored.containsKey(fileUids.sopInstanceUid())) {
            firstStored.put(fileUids.sopInstanceUid(), file);
            resultOfFirst.put(fileUids.sopInstanceUid(), result);
          }
        }
        case NOT_SENT -> {
          // Only acceptable when storescu had to convert from a syntax it has no codec for.
          boolean conversion = result.fromSyntax() != null && !result.fromSyntax().equals(result.toSyntax());
          if (!conversion || CONVERTIBLE.contains(StorescuLog.transferSyntaxUid(result.fromSyntax()))) {
            problems.add(file.getFileName() + ": storescu could not send it: " + result);
          } else {
            System.out.printf("[it] EchoStoreIT %s: %s not sent: storescu cannot convert %s -> %s%n",
                name, file.getFileName(), result.fromSyntax(), result.toSyntax());
          }
        }
        case FAILURE_STATUS -> problems.add(file.getFileName() + ": node refused it: " + result.detail());
        case NO_RESPONSE -> problems.add(file.getFileName() + ": no C-STORE response (node hung up?)");
        case SKIPPED -> problems.add(file.getFileName() + ": storescu skipped a file dcmdump reads: " + result.detail());
        default -> fail();
      }
    }
    assertTrue(!firstStored.isEmpty(), "nothing stored\n" + run.describe());

    // Reference: the same storescu, same syntax, to a bit-preserving storescp.
    Map<String, List<Path>> byProfile = new LinkedHashMap<>();
    for (Map.Entry<String, FileResult> entry : resultOfFirst.entrySet()) {
      String ts = StorescuLog.transferSyntaxUid(entry.getValue().toSyntax());
      byProfile.computeIfAbsent(Dcmtk.profileFor(ts), k -> new ArrayList<>()).add(firstStored.get(entry.getKey()));
    }
    Map<String, byte[]> sent = new LinkedHashMap<>();
    for (Map.Entry<String, List<Path>> group : byProfile.entrySet()) {
      Dcmtk.Reference reference = Dcmtk.capture(dir.resolve("reference-" + group.getKey()), profiles, group.getKey(), group.getValue());
      for (Path file : group.getValue()) {
        FileResult toAnnal = results.get(file.toString());
        FileResult toReference = reference.results().get(file.toString());
        if (toReference == null || !toAnnal.toSyntax().equals(toReference.toSyntax()) || !toReference.stored()) {
          problems.add(file.getFileName() + ": reference capture did not send it the same way: " + toReference
              + " vs " + toAnnal + "\n" + reference.storescu().describe());
        }
      }
      sent.putAll(reference.dataSets());
    }

    for (Map.Entry<String, Path> entry : firstStored.entrySet()) {
      Path file = entry.getValue();
      String ts = StorescuLog.transferSyntaxUid(resultOfFirst.get(entry.getKey()).toSyntax());
      StoredInstances.Expected expected = new StoredInstances.Expected(
          name + "/" + file.getFileName(), uids.get(file).studyInstanceUid(), entry.getKey(), ts, sent.get(entry.getKey()));
      problems.addAll(stored.check(expected));
      storedSoFar.add(expected);
    }
    System.out.printf("[it] EchoStoreIT %s: %d instances stored and checked, %d outcomes: %s%n", name, firstStored.size(),
        results.size(), summary(results));
    assertTrue(problems.isEmpty(), problems.size() + " problem(s) in scenario " + name + ":\n" + String.join("\n", problems));
  }

  /** The data set of a damaged file, raw, under fresh UIDs of the same length, in one association. */
  private List<String> sendDamaged(String fileName, String sopClass, String oldSop, String oldStudy) throws IOException {
    List<String> problems = new ArrayList<>();
    Part10File source = Part10File.read(TEST_DATA.resolve(fileName));
    String newSop = sameLengthUid(oldSop);
    String newStudy = sameLengthUid(oldStudy);
    byte[] dataSet = replace(replace(source.dataSet(), oldSop, newSop), oldStudy, newStudy);
    try (RawDicom peer = new RawDicom(node.dicomPort())) {
      String accepted = peer.associate(sopClass, List.of(Dcmtk.EXPLICIT_LE));
      int context = Integer.parseInt(accepted.substring(0, accepted.indexOf(':')));
      peer.sendMessage(context, RawDicom.cStoreRq(1, sopClass, newSop), dataSet);
      int status = peer.awaitStatus(Duration.ofSeconds(60));
      System.out.printf("[it] EchoStoreIT damaged %s: C-STORE status %s%n", fileName, status < 0 ? "none (abort/close)" : String.format("%04X", status));
      if (status < 0) {
        problems.add(fileName + ": the node aborted or closed instead of answering the C-STORE-RQ");
        return problems;
      }
      boolean stored = status == 0x0000 || status == 0x0001 || (status & 0xF000) == 0xB000;
      if (stored) {
        this.stored.refresh();
        StoredInstances.Expected expected = new StoredInstances.Expected("damaged/" + fileName, newStudy, newSop, Dcmtk.EXPLICIT_LE, dataSet);
        problems.addAll(this.stored.check(expected));
        storedSoFar.add(expected);
      } else {
        StudyApi.Response study = api.studyResponse(newStudy);
        if (study.status() == 200 && StudyApi.parse(study.body()).instances().containsKey(newSop)) {
          problems.add(fileName + ": refused with " + String.format("%04X", status) + " but listed in its study: " + study.body());
        }
      }
      // The association is still usable after the answer.
      peer.sendMessage(3, RawDicom.cEchoRq(2), null);
      int echo = peer.awaitStatus(Duration.ofSeconds(30));
      if (echo != 0) {
        problems.add(fileName + ": C-ECHO on the same association answered " + echo);
      }
      if (!peer.release()) {
        problems.add(fileName + ": no A-RELEASE-RP");
      }
    }
    return problems;
  }

  private List<Path> freshCopies(String name) {
    return Dcmtk.copyWithFreshUids(node.workDir().resolve(name).resolve("files"), testFiles);
  }

  private static long countResponses(String output, String statusPrefix) {
    return output.lines().filter(l -> l.startsWith("I: Received Store Response (" + statusPrefix)).count();
  }

  private static String summary(Map<String, FileResult> results) {
    Map<Outcome, Long> counts = new LinkedHashMap<>();
    for (Outcome outcome : Outcome.values()) {
      long n = StorescuLog.count(results, outcome);
      if (n > 0) {
        counts.put(outcome, n);
      }
    }
    return counts.toString();
  }

  /** A fresh UID of exactly {@code old}'s length, so that replacing it keeps every element length. */
  static String sameLengthUid(String old) {
    StringBuilder uid = new StringBuilder("2.25.");
    java.util.Random random = new java.util.Random();
    uid.append((char) ('1' + random.nextInt(9)));
    while (uid.length() < old.length()) {
      uid.append((char) ('0' + random.nextInt(10)));
    }
    return uid.toString();
  }

  static byte[] replace(byte[] data, String from, String to) {
    byte[] needle = from.getBytes(StandardCharsets.US_ASCII);
    byte[] replacement = to.getBytes(StandardCharsets.US_ASCII);
    if (needle.length != replacement.length) {
      throw new IllegalArgumentException("replacement must keep the length");
    }
    byte[] out = data.clone();
    int found = 0;
    outer:
    for (int i = 0; i + needle.length <= out.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (out[i + j] != needle[j]) {
          continue outer;
        }
      }
      System.arraycopy(replacement, 0, out, i, replacement.length);
      found++;
    }
    if (found == 0) {
      throw new UncheckedIOException(new IOException(from + " not found in the data set"));
    }
    assertNotEquals(0, found);
    return out;
  }
}
