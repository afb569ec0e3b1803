// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * DICOMweb against one real node (embedded Cassandra), with real clients:
 *
 * <ol>
 *   <li>STOW-RS of every file of ../shared/testdata that is a PS3.10 file, then WADO-RS of each
 *       back: the data set bytes are the ones sent; the file without meta information is refused
 *       in the FailedSOPSequence and the rest stored (202).
 *   <li>QIDO-RS at each level finds them with the attributes of the files.
 *   <li>WADO-RS metadata, frames, rendered PNG / JPEG (decoded: the right size), thumbnail;
 *       WADO-URI.
 *   <li>History after storescu + getscu (C-GET) + WADO-RS: the three kinds of event in that
 *       order, the chain intact, the WADO access naming the resource.
 *   <li>The npm dicomweb-client (what OHIF uses), from Node.js: STOW, QIDO, metadata, instance;
 *       every instance it retrieved is the stored file byte for byte.
 *   <li>CORS preflight and headers for the configured origin.
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DicomWebIT {
  static final Path TESTDATA = Path.of(System.getProperty("annal.testdata.dicom",
      "/work/shared/testdata/dicom"));
  static final String ORIGIN = "http://viewer.test";
  static final ObjectMapper JSON = new ObjectMapper();

  @AutoClose private AnnalNode node;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  /** The files STOW stored, by SOP Instance UID. */
  private final Map<String, Part10File> stowed = new LinkedHashMap<>();
  private String base;

  @BeforeAll
  void start() {
    node = new AnnalNode("DicomWebIT", List.of(
        "annal.dicomweb.cors-allowed-origins = [\"" + ORIGIN + "\"]"));
    node.start();
    base = "http://127.0.0.1:" + node.httpPort() + "/dicom-web";
  }

  record Answer(int status, String contentType, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + text(), e);
      }
    }
  }

  Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<byte[]> r = http.send(request.timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  Answer get(String url, String accept) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (accept != null) {
      b.header("Accept", accept);
    }
    return send(b);
  }

  /** The bodies of a multipart/related answer, in order. */
  static List<byte[]> parts(Answer a) {
    String boundary = Arrays.stream(a.contentType().split(";")).map(String::strip)
        .filter(p -> p.startsWith("boundary=")).findFirst().orElseThrow(
            () -> new AssertionError("no boundary in " + a.contentType()))
        .substring(9).replace("\"", "");
    byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
    // A leading CRLF makes the first delimiter look like the others.
    byte[] body = new byte[a.body().length + 2];
    body[0] = '\r';
    body[1] = '\n';
    System.arraycopy(a.body(), 0, body, 2, a.body().length);
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i + delimiter.length <= body.length; i++) {
      if (Arrays.equals(body, i, i + delimiter.length, delimiter, 0, delimiter.length)) {
        at.add(i);
      }
    }
    List<byte[]> out = new ArrayList<>();
    for (int k = 0; k + 1 < at.size(); k++) {
      int headers = at.get(k) + delimiter.length + 2;
      int start = headers;
      while (!(body[start] == '\r' && body[start + 1] == '\n' && body[start + 2] == '\r'
          && body[start + 3] == '\n')) {
        start++;
      }
      out.add(Arrays.copyOfRange(body, start + 4, at.get(k + 1)));
    }
    return out;
  }

  static byte[] multipart(String boundary, List<byte[]> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] f : files) {
      out.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(f);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String value(JsonNode ds, String tag) {
    JsonNode v = ds.path(tag).path("Value").path(0);
    return v.isObject() ? v.path("Alphabetic").asText() : v.asText();
  }

  // ---------------------------------------------------------------------------------- tests

  @Test
  @Order(1)
  void stowEveryTestFileThenWadoItBack() throws IOException {
    List<Path> paths;
    try (var list = Files.list(TESTDATA)) {
      // MR_truncated and badVR are damaged on purpose: the C-STORE malformed-input tests have them.
      paths = list.filter(f -> f.toString().endsWith(".dcm"))
          .filter(f -> !f.getFileName().toString().matches("MR_truncated.dcm|badVR.dcm"))
          .sorted().toList();
    }
    // The data sets' own UIDs, by DCMTK: absent for a data set without SOP Class / Instance UID.
    Map<Path, Dcmtk.Uids> uids = Dcmtk.uids(node.workDir().resolve("dcmdump-stow.log"), paths);
    List<byte[]> files = new ArrayList<>();
    int refused = 0;
    for (Path p : paths) {
      byte[] bytes = Files.readAllBytes(p);
      files.add(bytes);
      if (Part10File.hasPrefix(bytes) && uids.containsKey(p)) {
        // Several files hold the same instance (MR_small in several syntaxes): the first is kept.
        stowed.putIfAbsent(uids.get(p).sopInstanceUid(), Part10File.parse(bytes));
      } else {
        refused++; // not a PS3.10 file, or no SOP Instance UID: C000 / A900
      }
    }
    String boundary = "annal-" + UUID.randomUUID();
    Answer r = send(HttpRequest.newBuilder(URI.create(base + "/studies"))
        .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
        .header("Accept", "application/dicom+json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, files))));
    assertEquals(202, r.status(), "some parts refused (no meta information): " + r.text());
    JsonNode body = r.json();
    JsonNode failed = body.path("00081198").path("Value");
    assertEquals(refused, failed.size(), "FailedSOPSequence: " + body);
    JsonNode referenced = body.path("00081199").path("Value");
    // Files of the same SOP Instance (MR_small in several syntaxes) are one instance: the first
    // is stored, the others are acknowledged duplicates (a warning or success).
    assertEquals(files.size() - refused, referenced.size(), "ReferencedSOPSequence: " + body);

    Await.until(Duration.ofSeconds(60), "every stowed instance indexed",
        () -> get(base + "/instances?limit=1000", "application/dicom+json").json().size()
            >= stowed.size());
    for (Map.Entry<String, Part10File> e : stowed.entrySet()) {
      Part10File f = e.getValue();
      Answer q = get(base + "/instances?SOPInstanceUID=" + e.getKey(), null);
      assertEquals(200, q.status(), q.text());
      String url = q.json().get(0).path("00081190").path("Value").path(0).asText();
      Answer back = get(url, "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
      assertEquals(200, back.status(), back.text());
      List<byte[]> parts = parts(back);
      assertEquals(1, parts.size());
      Part10File sent = Part10File.parse(parts.get(0));
      assertEquals(f.transferSyntaxUid(), sent.transferSyntaxUid());
      assertArrayEquals(f.dataSet(), sent.dataSet(), "data set of " + e.getKey()
          + " first differs at " + Part10File.firstDifference(f.dataSet(), sent.dataSet()));
    }
  }

  @Test
  @Order(2)
  void qidoAtEachLevel() throws IOException {
    Part10File ct = Part10File.read(TESTDATA.resolve("CT_small.dcm"));
    String study = ctStudy();
    Answer studies = get(base + "/studies?StudyInstanceUID=" + study
        + "&includefield=StudyDescription", "application/dicom+json");
    assertEquals(200, studies.status(), studies.text());
    assertTrue(studies.contentType().startsWith("application/dicom+json"), studies.contentType());
    JsonNode s = studies.json().get(0);
    assertEquals("CompressedSamples^CT1", value(s, "00100010"));
    assertEquals("1", value(s, "00201208"), "NumberOfStudyRelatedInstances");
    assertEquals("CT", value(s, "00080061"), "ModalitiesInStudy");
    Answer wildcard = get(base + "/studies?PatientName=Compressed*&limit=100", null);
    assertTrue(wildcard.json().size() >= 1);
    Answer series = get(base + "/series?Modality=CT", null);
    assertTrue(series.json().size() >= 1);
    for (JsonNode se : series.json()) {
      assertEquals("CT", value(se, "00080060"));
    }
    Answer instances = get(base + "/studies/" + study + "/instances", null);
    assertEquals(ct.sopInstanceUid(), value(instances.json().get(0), "00080018"));
    assertEquals(400, get(base + "/studies?NoSuchAttribute=1", null).status());
    assertEquals(400, get(base + "/studies?StudyDate=2024", null).status(),
        "a malformed date is refused, as C-FIND refuses it");
  }

  private String ctStudy() {
    return studyUid(TESTDATA.resolve("CT_small.dcm"));
  }

  /** By dcmdump: the test does not read files back with Annal's own parser. */
  private String studyUid(Path file) {
    return Dcmtk.uids(node.workDir().resolve("dcmdump-" + file.getFileName() + ".log"),
        List.of(file)).get(file).studyInstanceUid();
  }

  @Test
  @Order(3)
  void metadataFramesRenderedAndWadoUri() throws IOException {
    Part10File ct = Part10File.read(TESTDATA.resolve("CT_small.dcm"));
    JsonNode hit = get(base + "/instances?SOPInstanceUID=" + ct.sopInstanceUid(), null).json().get(0);
    String url = hit.path("00081190").path("Value").path(0).asText();
    Answer meta = get(url + "/metadata", "application/dicom+json");
    assertEquals(200, meta.status(), meta.text());
    JsonNode m = meta.json().get(0);
    assertEquals("128", value(m, "00280010"));
    assertEquals(url + "/bulkdata/7FE00010", m.path("7FE00010").path("BulkDataURI").asText());
    Answer frame = get(url + "/frames/1", "multipart/related; type=\"application/octet-stream\"");
    assertEquals(200, frame.status(), frame.text());
    assertEquals(128 * 128 * 2, parts(frame).get(0).length);
    Answer bulk = get(m.path("7FE00010").path("BulkDataURI").asText(), null);
    assertArrayEquals(parts(frame).get(0), parts(bulk).get(0), "bulk data = the one frame");

    Answer png = get(url + "/rendered", "image/png");
    assertEquals(200, png.status(), png.text());
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.body()));
    assertEquals(128, image.getWidth());
    assertEquals(128, image.getHeight());
    Answer jpeg = get(url + "/rendered?viewport=64,64&window=40,400", "image/jpeg");
    assertEquals(64, ImageIO.read(new ByteArrayInputStream(jpeg.body())).getWidth());
    Answer thumb = get(base + "/studies/" + ctStudy() + "/thumbnail", null);
    assertEquals(200, thumb.status());
    assertTrue(ImageIO.read(new ByteArrayInputStream(thumb.body())).getWidth() <= 128);

    String q = "requestType=WADO&studyUID=" + ctStudy() + "&seriesUID="
        + value(hit, "0020000E") + "&objectUID=" + ct.sopInstanceUid();
    Answer uri = get("http://127.0.0.1:" + node.httpPort() + "/wado?" + q
        + "&contentType=application/dicom", null);
    assertEquals(200, uri.status());
    assertArrayEquals(ct.dataSet(), Part10File.parse(uri.body()).dataSet());
    Answer uriJpeg = get("http://127.0.0.1:" + node.httpPort() + "/wado?" + q, null);
    assertTrue(uriJpeg.contentType().startsWith("image/jpeg"));
    assertNotNull(ImageIO.read(new ByteArrayInputStream(uriJpeg.body())));
  }

  @Test
  @Order(4)
  void historyListsStoreCGetAndWadoInOrder() throws Exception {
    // A study of its own: storescu, then getscu, then WADO-RS.
    // A copy with fresh UIDs: the STOW test above stored rtdose.dcm itself.
    Path file = Dcmtk.copyWithFreshUids(node.workDir().resolve("fresh"),
        List.of(TESTDATA.resolve("rtdose.dcm"))).get(0);
    ExternalTool.Run store = ExternalTool.run(node.workDir().resolve("storescu-history.log"),
        Duration.ofSeconds(60), Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of(),
            List.of(file)));
    assertEquals(0, store.exitCode(), store.describe());
    String study = studyUid(file);
    Await.until(Duration.ofSeconds(30), "rtdose indexed",
        () -> get(base + "/studies/" + study + "/instances", null).json().size() == 1);
    DcmtkQr.Retrieve cget = DcmtkQr.getscu(node.workDir().resolve("getscu-history.log"),
        node.workDir().resolve("got"), node.dicomPort(), DcmtkQr.STUDY_ROOT, "HISTSCU",
        List.of("QueryRetrieveLevel=STUDY", "StudyInstanceUID=" + study));
    assertEquals(1, cget.completed(), cget.describe());
    Answer wado = get(base + "/studies/" + study, null);
    assertEquals(200, wado.status());
    assertEquals(1, parts(wado).size());

    StudyApi api = new StudyApi(node.httpPort());
    Await.until(Duration.ofSeconds(30), "three events in the history",
        () -> new Answer(200, "", api.get("/api/studies/" + study + "/history").body()
            .getBytes(StandardCharsets.UTF_8)).json().path("events").size() == 3);
    JsonNode events = JSON.readTree(api.get("/api/studies/" + study + "/history").body())
        .path("events");
    assertEquals("InstanceStored/1", events.get(0).path("type").asText());
    assertEquals("StudyAccessed/1", events.get(1).path("type").asText());
    JsonNode cGet = events.get(1).path("details").path("access");
    JsonNode wadoAccess = events.get(2).path("details").path("access");
    assertEquals("C-GET", cGet.path("how").asText(), events.toString());
    assertEquals("WADO-RS", wadoAccess.path("how").asText(), events.toString());
    assertEquals("/dicom-web/studies/" + study, wadoAccess.path("resource").asText());
    assertEquals("200", wadoAccess.path("status").asText());
    assertEquals(1, wadoAccess.path("completed").size());
    assertTrue(wadoAccess.path("requester").path("peerAddress").asText().startsWith("127.0.0.1:"));
    for (int i = 1; i < 3; i++) {
      assertEquals(events.get(i - 1).path("hash").asText(), events.get(i).path("prevHash").asText(),
          "chain link " + i);
    }
  }

  @Test
  @Order(5)
  void theNpmDicomwebClient() throws Exception {
    ExternalTool.assumeInstalled("node");
    Path dir = AnnalNode.repositoryRoot().resolve("modules/app/src/test/node");
    if (!Files.isDirectory(dir.resolve("node_modules/dicomweb-client"))) {
      // The versions pinned in package-lock.json, from the npm registry (.ci/run does it first).
      ExternalTool.assumeInstalled("npm");
      ExternalTool.Run install = ExternalTool.run(node.workDir().resolve("npm-ci.log"),
          Duration.ofSeconds(300), List.of("npm", "ci", "--no-audit", "--no-fund", "--prefix",
              dir.toString()));
      assertEquals(0, install.exitCode(), install.describe());
    }
    List<String> command = new ArrayList<>(List.of("node", dir.resolve("check.js").toString(), base));
    // Fresh UIDs: new studies of these three instances only (the STOW test stored the originals).
    for (Path f : Dcmtk.copyWithFreshUids(node.workDir().resolve("npm-input"), List.of(
        TESTDATA.resolve("MR_small_RLE.dcm"), TESTDATA.resolve("SC_rgb_jpeg_dcmtk.dcm"),
        TESTDATA.resolve("liver_1frame.dcm")))) {
      command.add(f.toString());
    }
    ExternalTool.Run run = ExternalTool.run(node.workDir().resolve("dicomweb-client.log"),
        Duration.ofSeconds(120), command);
    assertEquals(0, run.exitCode(), run.describe());
    String line = run.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError(run.describe()));
    JsonNode out = JSON.readTree(line);
    assertEquals(3, out.path("stow").path("00081199").path("Value").size(), out.toString());
    int checked = 0;
    StudyApi api = new StudyApi(node.httpPort());
    for (var study : iterable(out.path("studies").fields())) {
      for (var series : iterable(study.getValue().path("series").fields())) {
        for (var instance : iterable(series.getValue().fields())) {
          byte[] storedFile = getBytes("http://127.0.0.1:" + node.httpPort() + "/api/studies/"
              + study.getKey() + "/instances/" + instance.getKey());
          assertEquals(sha256(storedFile), instance.getValue().path("sha256").asText(),
              "dicomweb-client got the stored file of " + instance.getKey());
          assertTrue(instance.getValue().path("metaSopClass").asText().startsWith("1.2.840"));
          checked++;
        }
      }
    }
    assertEquals(3, checked, "the three instances stored, found and retrieved: " + out);
    assertTrue(out.path("listedStudies").asInt() > 3, "QIDO-RS lists the other studies too");
  }

  @Test
  @Order(6)
  void corsForTheConfiguredOrigin() {
    Answer pre = send(HttpRequest.newBuilder(URI.create(base + "/studies"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", ORIGIN).header("Access-Control-Request-Method", "GET"));
    assertEquals(204, pre.status(), pre.text());
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + "/studies"))
          .header("Origin", ORIGIN).GET().build(), HttpResponse.BodyHandlers.discarding());
      assertEquals(ORIGIN, r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
      HttpResponse<Void> other = http.send(HttpRequest.newBuilder(URI.create(base + "/studies"))
          .header("Origin", "http://elsewhere.test").GET().build(),
          HttpResponse.BodyHandlers.discarding());
      assertTrue(other.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private byte[] getBytes(String url) {
    Answer a = get(url, null);
    assertEquals(200, a.status(), url);
    return a.body();
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
    return () -> it;
  }
}
