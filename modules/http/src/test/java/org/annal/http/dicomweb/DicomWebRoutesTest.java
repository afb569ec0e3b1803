// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import javax.imageio.ImageIO;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomFile;
import org.annal.dicom.Part10;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.http.JupiterRouteTest;
import org.annal.query.IndexedInstance;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DICOMweb routes on real files (../shared/testdata) behind a fake archive: QIDO parameters
 * become the right C-FIND identifier, WADO-RS bytes equal the stored ones (or their conversion),
 * negotiation and errors per PS3.18, accesses recorded, CORS.
 */
class DicomWebRoutesTest extends JupiterRouteTest {
  static final String CT = "CT_small.dcm";
  static final String MR_IMPLICIT = "MR_small_implicit.dcm";
  static final String RLE_2FRAME = "SC_rgb_rle_2frame.dcm";
  static final String J2K = "JPEG2000.dcm";
  static final String DICOM_ANY = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";

  private final ObjectMapper mapper = new ObjectMapper();
  private FakeArchive archive;
  private TestRoute route;

  @BeforeEach
  void setUp() throws Exception {
    archive = new FakeArchive(CT, MR_IMPLICIT, RLE_2FRAME, J2K);
    route = testRoute(new DicomWebRoutes(archive, Executors.newFixedThreadPool(2),
        new DicomWebSettings(List.of("https://viewer.example"), 64, 1 << 20), null).route());
  }

  private TestRouteResult get(String uri, String accept) {
    HttpRequest request = HttpRequest.GET(uri);
    if (accept != null) {
      request = request.addHeader(RawHeader.create("Accept", accept));
    }
    return route.run(request);
  }

  /** A streamed answer is recorded when its stream has ended, just after the client has it all. */
  private WadoAccess firstAccess() throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (archive.accesses.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return archive.accesses.get(0);
  }

  private static String url(IndexedInstance i) {
    return "/dicom-web/studies/" + i.studyInstanceUid() + "/series/" + i.seriesInstanceUid()
        + "/instances/" + i.sopInstanceUid();
  }

  // ------------------------------------------------------------------------------------ QIDO

  @Test
  void qidoTurnsParametersIntoTheIdentifier() throws Exception {
    FakeArchive.Stored ct = archive.file(CT);
    String patientId = ct.dataset().getString(Tag.PatientID);
    TestRouteResult r = get("/dicom-web/studies?PatientID=" + patientId
        + "&includefield=StudyDescription,00081030&includefield=Laterality&limit=5&offset=0",
        "application/dicom+json").assertStatusCode(200).assertMediaType("application/dicom+json");
    Dataset id = archive.identifiers.get(0);
    assertEquals(patientId, id.getString(Tag.PatientID));
    assertEquals("ISO_IR 192", id.getString(Tag.SpecificCharacterSet));
    for (int t : new int[] {Tag.StudyDescription, Tag.Laterality, Tag.StudyDate,
        Tag.ModalitiesInStudy, Tag.NumberOfStudyRelatedInstances, Tag.StudyInstanceUID}) {
      assertTrue(id.contains(t), "return key " + Integer.toHexString(t));
    }
    assertEquals(5, archive.limits.get(0));
    JsonNode body = mapper.readTree(r.entityBytes().toArray());
    assertTrue(body.isArray());
    assertEquals(1, body.size());
    assertEquals("http://example.com/dicom-web/studies/" + ct.instance().studyInstanceUid(),
        body.get(0).get("00081190").get("Value").get(0).asText());
    assertEquals("ONLINE", body.get(0).get("00080056").get("Value").get(0).asText());
    assertFalse(body.get(0).has("00080052"), "no QueryRetrieveLevel in QIDO-RS answers");
  }

  @Test
  void qidoNestedAndAcrossStudies() throws Exception {
    IndexedInstance ct = archive.file(CT).instance();
    get("/dicom-web/studies/" + ct.studyInstanceUid() + "/series?Modality=CT", null)
        .assertStatusCode(200);
    Dataset series = archive.identifiers.get(0);
    assertEquals(ct.studyInstanceUid(), series.getString(Tag.StudyInstanceUID));
    assertEquals("CT", series.getString(Tag.Modality));
    assertTrue(series.contains(Tag.SeriesInstanceUID));
    // across studies: no study key value (a relational search)
    TestRouteResult r = get("/dicom-web/instances?SOPInstanceUID=" + ct.sopInstanceUid(), null)
        .assertStatusCode(200);
    Dataset all = archive.identifiers.get(1);
    assertEquals("", Optional.ofNullable(all.getString(Tag.StudyInstanceUID)).orElse(""));
    JsonNode body = mapper.readTree(r.entityBytes().toArray());
    assertEquals("http://example.com" + url(ct),
        body.get(0).get("00081190").get("Value").get(0).asText());
    get("/dicom-web/studies/" + ct.studyInstanceUid() + "/series/" + ct.seriesInstanceUid()
        + "/instances", null).assertStatusCode(200);
    assertEquals(ct.seriesInstanceUid(), archive.identifiers.get(2).getString(Tag.SeriesInstanceUID));
  }

  @Test
  void qidoRefusesWhatItCannotDo() {
    get("/dicom-web/studies?NoSuchKeyword=1", null).assertStatusCode(400);
    get("/dicom-web/studies?limit=-1", null).assertStatusCode(400);
    get("/dicom-web/studies?offset=x", null).assertStatusCode(400);
    get("/dicom-web/studies?ReferencedStudySequence.ReferencedSOPInstanceUID=1.2", null)
        .assertStatusCode(400);
    get("/dicom-web/studies?fuzzymatching=maybe", null).assertStatusCode(400);
    get("/dicom-web/studies/not-a-uid/series", null).assertStatusCode(400);
    assertTrue(archive.identifiers.isEmpty(), "nothing searched");
  }

  @Test
  void qidoOffsetAndServerCapWarning() throws Exception {
    archive.cap = 2;
    TestRouteResult r = get("/dicom-web/instances", null).assertStatusCode(200);
    assertEquals(2, mapper.readTree(r.entityBytes().toArray()).size());
    assertTrue(r.response().getHeader("Warning").map(HttpHeader::value).orElse("")
        .startsWith("299"), "capped by the server: Warning 299");
    archive.cap = 100;
    TestRouteResult page = get("/dicom-web/instances?offset=1&limit=2", null).assertStatusCode(200);
    assertEquals(2, mapper.readTree(page.entityBytes().toArray()).size());
    assertEquals(3, archive.limits.get(1), "offset + limit asked of the index");
    assertTrue(page.response().getHeader("Warning").isEmpty());
  }

  // ---------------------------------------------------------------------------- WADO-RS

  /** Parts of a multipart/related body: [headers, body] each. */
  static List<byte[][]> parts(TestRouteResult r) {
    String type = r.response().entity().getContentType().toString();
    String boundary = Arrays.stream(type.split(";")).map(String::strip)
        .filter(p -> p.startsWith("boundary=")).findFirst().orElseThrow().substring(9)
        .replace("\"", "");
    byte[] body = r.entityBytes().toArray();
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i + delimiter.length <= body.length; i++) {
      if (Arrays.equals(body, i, i + delimiter.length, delimiter, 0, delimiter.length)) {
        at.add(i);
      }
    }
    List<byte[][]> out = new ArrayList<>();
    for (int k = 0; k + 1 < at.size(); k++) {
      int start = at.get(k) + delimiter.length + 2;
      int end = at.get(k + 1) - 2; // CRLF before the next delimiter
      int headerEnd = start;
      while (!(body[headerEnd] == '\r' && body[headerEnd + 1] == '\n' && body[headerEnd + 2] == '\r'
          && body[headerEnd + 3] == '\n')) {
        headerEnd++;
      }
      out.add(new byte[][] {Arrays.copyOfRange(body, start, headerEnd),
          Arrays.copyOfRange(body, headerEnd + 4, end)});
    }
    String closing = new String(body, at.get(at.size() - 1), delimiter.length + 2,
        StandardCharsets.US_ASCII);
    assertEquals("--" + boundary + "--", closing, "closing delimiter");
    return out;
  }

  @Test
  void instanceAsStoredWithTransferSyntaxStar() throws Exception {
    FakeArchive.Stored mr = archive.file(MR_IMPLICIT);
    TestRouteResult r = get(url(mr.instance()), DICOM_ANY).assertStatusCode(200);
    String type = r.response().entity().getContentType().toString();
    assertTrue(type.startsWith("multipart/related") && type.contains("type=\"application/dicom\""),
        type);
    List<byte[][]> parts = parts(r);
    assertEquals(1, parts.size());
    String headers = new String(parts.get(0)[0], StandardCharsets.US_ASCII);
    assertTrue(headers.contains("Content-Type: application/dicom; transfer-syntax="
        + Uid.IMPLICIT_VR_LITTLE_ENDIAN), headers);
    assertArrayEquals(mr.file(), parts.get(0)[1], "the stored file, byte for byte");
    WadoAccess a = firstAccess();
    assertEquals("WADO-RS", a.how());
    assertEquals(List.of(mr.instance().sopInstanceUid()), a.completed());
    assertEquals(List.of(), a.failed());
    assertEquals(200, a.httpStatus());
    assertEquals(url(mr.instance()), a.resource());
  }

  @Test
  void instanceConvertedToTheDefaultExplicitLittleEndian() throws Exception {
    FakeArchive.Stored mr = archive.file(MR_IMPLICIT);
    TestRouteResult r = get(url(mr.instance()), "multipart/related; type=\"application/dicom\"")
        .assertStatusCode(200);
    byte[] sent = parts(r).get(0)[1];
    DicomFile f = Part10.read(new ByteArrayInputStream(sent), sent.length);
    assertEquals(Uid.EXPLICIT_VR_LITTLE_ENDIAN, f.transferSyntaxUid());
    assertArrayEquals(mr.dataset().getBytes(Tag.PixelData), f.dataset().getBytes(Tag.PixelData));
    assertEquals(mr.dataset().getString(Tag.PatientName), f.dataset().getString(Tag.PatientName));
  }

  @Test
  void compressedInstanceInAnotherSyntaxIsNotAcceptable() {
    FakeArchive.Stored j2k = archive.file(J2K);
    get(url(j2k.instance()), "multipart/related; type=\"application/dicom\"; transfer-syntax="
        + Uid.EXPLICIT_VR_LITTLE_ENDIAN).assertStatusCode(406);
    assertEquals(406, archive.accesses.get(0).httpStatus(), "the refusal is recorded");
    assertEquals(List.of(j2k.instance().sopInstanceUid()), archive.accesses.get(0).failed());
    // without a named syntax it goes as stored
    TestRouteResult r = get(url(j2k.instance()), "multipart/related; type=\"application/dicom\"")
        .assertStatusCode(200);
    assertArrayEquals(j2k.file(), parts(r).get(0)[1]);
    get(url(j2k.instance()), "application/json").assertStatusCode(406);
  }

  @Test
  void studyRetrieveSendsEveryInstanceOfIt() {
    FakeArchive.Stored rle = archive.file(RLE_2FRAME);
    TestRouteResult r = get("/dicom-web/studies/" + rle.instance().studyInstanceUid(), DICOM_ANY)
        .assertStatusCode(200);
    List<byte[][]> parts = parts(r);
    assertEquals(1, parts.size());
    assertArrayEquals(rle.file(), parts.get(0)[1]);
    String headers = new String(parts.get(0)[0], StandardCharsets.US_ASCII);
    assertTrue(headers.contains("Content-Location: http://example.com" + url(rle.instance())),
        headers);
  }

  @Test
  void missingAndUnreadableInstances() throws Exception {
    IndexedInstance ct = archive.file(CT).instance();
    get("/dicom-web/studies/1.2.3", DICOM_ANY).assertStatusCode(404);
    get("/dicom-web/studies/" + ct.studyInstanceUid() + "/series/" + ct.seriesInstanceUid()
        + "/instances/1.2.3.4", DICOM_ANY).assertStatusCode(404);
    archive.unavailableSop = ct.sopInstanceUid();
    TestRouteResult r = get(url(ct), DICOM_ANY).assertStatusCode(503);
    assertTrue(mapper.readTree(r.entityString()).get("message").asText().contains("node-b"));
    WadoAccess a = archive.accesses.get(0);
    assertEquals(503, a.httpStatus());
    assertEquals(List.of(ct.sopInstanceUid()), a.failed());
  }

  @Test
  void metadataIsDicomJsonWithBulkDataUris() throws Exception {
    FakeArchive.Stored ct = archive.file(CT);
    TestRouteResult r = get(url(ct.instance()) + "/metadata", "application/dicom+json")
        .assertStatusCode(200).assertMediaType("application/dicom+json");
    JsonNode body = mapper.readTree(r.entityBytes().toArray());
    assertEquals(1, body.size());
    JsonNode ds = body.get(0);
    assertEquals(ct.instance().sopInstanceUid(), ds.get("00080018").get("Value").get(0).asText());
    assertEquals("http://example.com" + url(ct.instance()) + "/bulkdata/7FE00010",
        ds.get("7FE00010").get("BulkDataURI").asText());
    get(url(ct.instance()) + "/metadata",
        "multipart/related; type=\"application/dicom+xml\"").assertStatusCode(406);
    // the bulk data URI answers with the pixel data
    TestRouteResult bulk = get(url(ct.instance()) + "/bulkdata/7FE00010", null)
        .assertStatusCode(200);
    assertArrayEquals(ct.dataset().getBytes(Tag.PixelData), parts(bulk).get(0)[1]);
    get(url(ct.instance()) + "/bulkdata/00091234", null).assertStatusCode(404);
    get(url(ct.instance()) + "/bulkdata/xyz", null).assertStatusCode(400);
  }

  @Test
  void framesNativeAndCompressed() {
    FakeArchive.Stored ct = archive.file(CT);
    TestRouteResult native1 = get(url(ct.instance()) + "/frames/1",
        "multipart/related; type=\"application/octet-stream\"").assertStatusCode(200);
    assertEquals(128 * 128 * 2, parts(native1).get(0)[1].length);
    get(url(ct.instance()) + "/frames/2", null).assertStatusCode(404);
    get(url(ct.instance()) + "/frames/0", null).assertStatusCode(400);

    FakeArchive.Stored rle = archive.file(RLE_2FRAME);
    TestRouteResult both = get(url(rle.instance()) + "/frames/2,1", null).assertStatusCode(200);
    List<byte[][]> parts = parts(both);
    assertEquals(2, parts.size());
    assertTrue(new String(parts.get(0)[0], StandardCharsets.US_ASCII)
        .contains("image/x-dicom-rle; transfer-syntax=1.2.840.10008.1.2.5"));
    List<byte[]> fragments = rle.dataset().get(Tag.PixelData).fragments();
    // fragment 0 is the Basic Offset Table; one fragment per frame after it
    assertArrayEquals(fragments.get(fragments.size() - 1), parts.get(0)[1], "frame 2 first");
    get(url(rle.instance()) + "/frames/1",
        "multipart/related; type=\"application/octet-stream\"").assertStatusCode(406);
  }

  @Test
  void renderedAndThumbnails() throws Exception {
    FakeArchive.Stored ct = archive.file(CT);
    TestRouteResult jpeg = get(url(ct.instance()) + "/rendered", "image/jpeg")
        .assertStatusCode(200).assertMediaType("image/jpeg");
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg.entityBytes().toArray()));
    assertEquals(128, image.getWidth());
    assertEquals(128, image.getHeight());
    TestRouteResult png = get(url(ct.instance()) + "/frames/1/rendered?window=40,400&viewport=64,64",
        "image/png").assertStatusCode(200).assertMediaType("image/png");
    BufferedImage small = ImageIO.read(new ByteArrayInputStream(png.entityBytes().toArray()));
    assertEquals(64, small.getWidth());
    TestRouteResult thumb = get("/dicom-web/studies/" + archive.file(J2K).instance()
        .studyInstanceUid() + "/thumbnail", null);
    thumb.assertStatusCode(406); // JPEG 2000 is not rendered: said, not crashed
    TestRouteResult rgb = get("/dicom-web/studies/" + archive.file(RLE_2FRAME).instance()
        .studyInstanceUid() + "/thumbnail", null).assertStatusCode(200);
    BufferedImage t = ImageIO.read(new ByteArrayInputStream(rgb.entityBytes().toArray()));
    assertTrue(t.getWidth() <= 128 && t.getHeight() <= 128);
    get(url(ct.instance()) + "/rendered?window=40", null).assertStatusCode(400);
    get(url(ct.instance()) + "/rendered", "application/dicom").assertStatusCode(406);
    assertTrue(archive.accesses.stream().anyMatch(a -> a.httpStatus() == 200
        && a.completed().equals(List.of(ct.instance().sopInstanceUid()))));
  }

  // ---------------------------------------------------------------------------- WADO-URI

  @Test
  void wadoUri() throws Exception {
    IndexedInstance ct = archive.file(CT).instance();
    String q = "requestType=WADO&studyUID=" + ct.studyInstanceUid() + "&seriesUID="
        + ct.seriesInstanceUid() + "&objectUID=" + ct.sopInstanceUid();
    TestRouteResult file = get("/wado?" + q + "&contentType=application/dicom", null)
        .assertStatusCode(200).assertMediaType("application/dicom");
    assertArrayEquals(archive.file(CT).file(), file.entityBytes().toArray());
    TestRouteResult jpeg = get("/wado?" + q, null).assertStatusCode(200)
        .assertMediaType("image/jpeg");
    assertNotNull(ImageIO.read(new ByteArrayInputStream(jpeg.entityBytes().toArray())));
    get("/dicom-web/wado?" + q + "&contentType=image/png&rows=32", null).assertStatusCode(200)
        .assertMediaType("image/png");
    get("/wado?" + q.replace("requestType=WADO", "requestType=X"), null).assertStatusCode(400);
    get("/wado?requestType=WADO&studyUID=1.2", null).assertStatusCode(400);
    get("/wado?" + q + "&contentType=text/html", null).assertStatusCode(406);
    assertEquals("WADO-URI", archive.accesses.get(0).how());
  }

  // -------------------------------------------------------------------------- CORS, errors

  @Test
  void corsForAnAllowedOrigin() {
    TestRouteResult pre = route.run(HttpRequest.create("/dicom-web/studies")
        .withMethod(HttpMethods.OPTIONS)
        .addHeader(RawHeader.create("Origin", "https://viewer.example"))
        .addHeader(RawHeader.create("Access-Control-Request-Method", "GET"))
        .addHeader(RawHeader.create("Access-Control-Request-Headers", "accept")))
        .assertStatusCode(204);
    assertEquals("https://viewer.example",
        pre.response().getHeader("Access-Control-Allow-Origin").orElseThrow().value());
    assertTrue(pre.response().getHeader("Access-Control-Allow-Methods").orElseThrow().value()
        .contains("POST"));
    TestRouteResult r = route.run(HttpRequest.GET("/dicom-web/studies")
        .addHeader(RawHeader.create("Origin", "https://viewer.example"))).assertStatusCode(200);
    assertTrue(r.response().getHeader("Access-Control-Allow-Origin").isPresent());
    TestRouteResult other = route.run(HttpRequest.GET("/dicom-web/studies")
        .addHeader(RawHeader.create("Origin", "https://evil.example"))).assertStatusCode(200);
    assertFalse(other.response().getHeader("Access-Control-Allow-Origin").isPresent());
  }

  @Test
  void unknownPathsAndMethods() throws Exception {
    TestRouteResult r = route.run(HttpRequest.create("/dicom-web/studies")
        .withMethod(HttpMethods.DELETE)).assertStatusCode(405);
    assertEquals(405, mapper.readTree(r.entityString()).get("status").asInt());
    route.run(HttpRequest.POST("/dicom-web/studies")).assertStatusCode(405); // no STOW here
    get("/dicom-web/nothing", null).assertStatusCode(404);
  }
}
