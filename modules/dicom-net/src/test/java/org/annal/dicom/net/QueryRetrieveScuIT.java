// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.annal.dicom.net.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.annal.dicom.Dataset;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.dicom.Vr;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FindScu, MoveScu and GetScu against our own SCP (in-memory handlers) and DCMTK dcmqrscp. */
class QueryRetrieveScuIT {
  static ActorSystem system;
  InMemoryQueryRetrieve qr;
  DicomServerBinding binding;
  int port;
  volatile Map<String, java.net.InetSocketAddress> destinations = Map.of();

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create("QueryRetrieveScuIT");
  }

  @AfterAll
  static void stopSystem() {
    TestKit.shutdownActorSystem(system);
  }

  @BeforeEach
  void bind(@TempDir Path dir) throws Exception {
    qr = new InMemoryQueryRetrieve();
    binding = DicomServer.bind(system, DicomServerSettings.defaults().withBind("127.0.0.1", 0),
        new TestSupport.FileHandler(dir), new QueryRetrieveServices(qr, qr,
            ae -> java.util.Optional.ofNullable(destinations.get(ae)), ScuSettings.defaults(),
            1 << 26)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    port = binding.localAddress().getPort();
  }

  @AfterEach
  void unbind() throws Exception {
    binding.drain(Duration.ofSeconds(5)).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static Dataset patient(String id) {
    Dataset ds = new Dataset();
    ds.putString(Tag.QueryRetrieveLevel, Vr.CS, "PATIENT");
    ds.putString(Tag.PatientID, Vr.LO, id);
    return ds;
  }

  @Test
  void findScuCollectsTheMatchesAndCancelsAtItsCap() throws Exception {
    AtomicBoolean stopped = new AtomicBoolean();
    qr.answers = id -> Source.from(List.of(patient("P1"), patient("P2"), patient("P3")))
        .concat(Source.<Dataset>never())
        .watchTermination((m, done) -> {
          done.whenComplete((d, e) -> stopped.set(true));
          return m;
        });
    FindScu.Result capped = get(FindScu.find(system, ScuSettings.defaults(), "127.0.0.1", port,
        "FINDSCU", "ANNAL", QueryRetrieveSopClasses.PATIENT_ROOT_FIND, patient("*"), 2));
    assertEquals(Status.CANCEL, capped.status().code());
    assertEquals(List.of("P1", "P2"),
        capped.matches().stream().map(d -> d.getString(Tag.PatientID)).toList());
    await("handler source cancelled", Duration.ofSeconds(5), stopped::get);
    assertEquals("*", qr.finds.poll().identifier().getString(Tag.PatientID));

    qr.answers = id -> Source.from(List.of(patient("P1"), patient("P2")));
    FindScu.Result all = get(FindScu.find(system, ScuSettings.defaults(), "127.0.0.1", port,
        "FINDSCU", "ANNAL", QueryRetrieveSopClasses.STUDY_ROOT_FIND, patient("P*"), 100));
    assertEquals(DimseStatus.SUCCESS, all.status());
    assertEquals(2, all.matches().size());
  }

  @Test
  void moveScuAndGetScuAgainstOurScp(@TempDir Path dir) throws Exception {
    Path ct = dir.resolve("ct.dcm");
    assertEquals(0, run("dcmconv", "+te", "-p", TESTDATA.resolve("CT_small.dcm").toString(),
        ct.toString()).exitCode());
    qr.items = List.of(InMemoryQueryRetrieve.fileItem(ct),
        InMemoryQueryRetrieve.fileItem(TESTDATA.resolve("JPEG-lossy.dcm")));
    Dataset study = new Dataset();
    study.putString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY");
    study.putString(Tag.StudyInstanceUID, Vr.UI, "1.2.3");

    // C-MOVE to a listener of ours that accepts only uncompressed syntaxes: the JPEG item fails
    TestSupport.FileHandler moved = new TestSupport.FileHandler(
        Files.createDirectory(dir.resolve("moved")));
    DicomServerBinding dest = get(DicomServer.bind(system, DicomServerSettings.defaults()
        .withAeTitle("DEST").withBind("127.0.0.1", 0)
        .withAcceptedSyntaxes(java.util.Set.of("storage"), java.util.Set.of(
            Uid.EXPLICIT_VR_LITTLE_ENDIAN, Uid.IMPLICIT_VR_LITTLE_ENDIAN)), moved));
    try {
      destinations = Map.of("DEST", dest.localAddress());
      RetrieveProgress last = get(MoveScu.move(system, ScuSettings.defaults(), "127.0.0.1", port,
          "MOVESCU", "ANNAL", QueryRetrieveSopClasses.STUDY_ROOT_MOVE, "DEST", study));
      assertEquals(0xB000, last.status().code());
      assertEquals(1, last.completed());
      assertEquals(1, last.failed());
      assertEquals(List.of(StoreScu.inspect(TESTDATA.resolve("JPEG-lossy.dcm")).sopInstanceUid()),
          last.failedSopInstanceUids());
      assertEquals(1, moved.received.size());
      assertArrayEquals(dataSetBytes(ct), Files.readAllBytes(moved.received.peek().file()));
    } finally {
      dest.unbind();
    }

    // C-GET: both arrive on our association (the JPEG one in its stored syntax)
    TestSupport.FileHandler got = new TestSupport.FileHandler(
        Files.createDirectory(dir.resolve("got")));
    List<ProposedContext> storage = new ArrayList<>();
    for (RetrieveItem item : qr.items) {
      storage.add(ProposedContext.of(item.sopClassUid(), item.storedTransferSyntaxUid()));
    }
    RetrieveProgress last = get(GetScu.get(system, ScuSettings.defaults(), "127.0.0.1", port,
        "GETSCU", "ANNAL", QueryRetrieveSopClasses.STUDY_ROOT_GET, study, storage, got));
    assertEquals(DimseStatus.SUCCESS, last.status());
    assertEquals(2, last.completed());
    assertEquals(2, got.received.size());
    TestSupport.Received ctGot = got.received.stream()
        .filter(r -> r.transferSyntax().equals(Uid.EXPLICIT_VR_LITTLE_ENDIAN)).findFirst()
        .orElseThrow();
    assertArrayEquals(dataSetBytes(ct), Files.readAllBytes(ctGot.file()));
  }
}
