// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.annal.dicom.net.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.annal.dicom.Dataset;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * C-FIND, C-MOVE and C-GET SCP (PS3.4 C.4.1–C.4.3) driven by DCMTK findscu / movescu / getscu,
 * against in-memory handlers; C-MOVE's destination is a DCMTK storescp the test starts.
 */
class QueryRetrieveIT {
  static ActorSystem system;
  InMemoryQueryRetrieve qr;
  DicomServerBinding binding;
  int port;
  volatile Map<String, InetSocketAddress> destinations = Map.of();

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create("QueryRetrieveIT");
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
  }

  @AfterEach
  void unbind() throws Exception {
    binding.drain(Duration.ofSeconds(5)).toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(0, binding.activeAssociations());
  }

  static Dataset dataset(Object... tagVrValue) {
    Dataset ds = new Dataset();
    for (int i = 0; i < tagVrValue.length; i += 3) {
      ds.putString((Integer) tagVrValue[i], (Vr) tagVrValue[i + 1], (String) tagVrValue[i + 2]);
    }
    return ds;
  }

  static List<Path> files(Path dir, String prefix) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
    }
  }

  // ------------------------------------------------------------------ C-FIND

  @Test
  void findscuPatientRootAndStudyRootGetExactlyTheHandlersDatasets(@TempDir Path out)
      throws Exception {
    qr.answers = id -> "PATIENT".equals(id.getString(Tag.QueryRetrieveLevel))
        ? Source.from(List.of(
            dataset(Tag.QueryRetrieveLevel, Vr.CS, "PATIENT", Tag.PatientName, Vr.PN, "DOE^JOHN",
                Tag.PatientID, Vr.LO, "P1"),
            dataset(Tag.QueryRetrieveLevel, Vr.CS, "PATIENT", Tag.PatientName, Vr.PN, "ROE^JANE",
                Tag.PatientID, Vr.LO, "P2")))
        : Source.single(dataset(Tag.QueryRetrieveLevel, Vr.CS, "STUDY", Tag.StudyInstanceUID,
            Vr.UI, "1.2.3.4", Tag.StudyDate, Vr.DA, "20240102"));
    Path patients = Files.createDirectory(out.resolve("patients"));
    ToolResult r = run("findscu", "-P", "-aec", "ANNAL", "-X", "-od", patients.toString(),
        "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientName=D*", "-k", "PatientID",
        "127.0.0.1", Integer.toString(port));
    assertEquals(0, r.exitCode(), r.output());
    List<Path> rsp = files(patients, "rsp");
    assertEquals(2, rsp.size(), r.output());
    assertEquals("DOE^JOHN", dcmdumpValue(rsp.get(0), "0010,0010"));
    assertEquals("P1", dcmdumpValue(rsp.get(0), "0010,0020"));
    assertEquals("ROE^JANE", dcmdumpValue(rsp.get(1), "0010,0010"));
    InMemoryQueryRetrieve.FindCall call = qr.finds.poll();
    assertEquals(QueryRetrieveSopClasses.PATIENT_ROOT_FIND, call.request().affectedSopClassUid());
    assertEquals("D*", call.identifier().getString(Tag.PatientName));
    assertTrue(call.identifier().contains(Tag.PatientID), "universal matching key carried");

    Path studies = Files.createDirectory(out.resolve("studies"));
    r = run("findscu", "-S", "-aec", "ANNAL", "-X", "-od", studies.toString(),
        "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "StudyDate=2024-",
        "127.0.0.1", Integer.toString(port));
    assertEquals(0, r.exitCode(), r.output());
    rsp = files(studies, "rsp");
    assertEquals(1, rsp.size(), r.output());
    assertEquals("1.2.3.4", dcmdumpValue(rsp.get(0), "0020,000d"));
    assertEquals("20240102", dcmdumpValue(rsp.get(0), "0008,0020"));
    assertEquals(QueryRetrieveSopClasses.STUDY_ROOT_FIND,
        qr.finds.poll().request().affectedSopClassUid());
  }

  @Test
  void findscuCancelStopsTheHandlersSourceAndAnswersCancel() throws Exception {
    AtomicBoolean sourceStopped = new AtomicBoolean();
    // one match, then a source that would never complete: only C-CANCEL can end the query
    qr.answers = id -> Source.single(dataset(Tag.PatientID, Vr.LO, "P1"))
        .concat(Source.<Dataset>never())
        .watchTermination((m, done) -> {
          done.whenComplete((d, e) -> sourceStopped.set(true));
          return m;
        });
    ToolResult r = run("findscu", "-P", "-aec", "ANNAL", "-d", "--cancel", "1",
        "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID", "127.0.0.1",
        Integer.toString(port));
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("0xfe00"), r.output());
    await("handler source cancelled", Duration.ofSeconds(5), sourceStopped::get);
  }

  @Test
  void findFailureStatusComesFromDimseException() throws Exception {
    qr.answers = id -> Source.<Dataset>failed(new DimseException(0xC001, "result cap reached"));
    ToolResult r = run("findscu", "-P", "-aec", "ANNAL", "-d", "-k",
        "QueryRetrieveLevel=PATIENT", "127.0.0.1", Integer.toString(port));
    assertTrue(r.output().contains("0xc001"), r.output());
    assertTrue(r.output().contains("result cap reached"), r.output());
  }
}
