// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.annal.dicom.Uid;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.RetrieveProgress;
import org.annal.dicom.net.Status;
import org.junit.jupiter.api.Test;

/** Progress bar, summary and exit code of move/get, file names and contexts of get. */
class RetrieveOutputTest {

  static RetrieveProgress progress(int code, Integer remaining, Integer completed, Integer failed,
      Integer warning, List<String> failedUids) {
    return new RetrieveProgress(DimseStatus.of(code, null), remaining, completed, failed, warning,
        failedUids);
  }

  @Test
  void theBarCountsSubOperationsDoneOfAll() {
    RetrieveProgress p = progress(Status.PENDING, 6, 3, 1, 0, List.of());
    assertEquals("[############..................] 4/10 40% completed 3, failed 1, warning 0",
        RetrieveBar.line(p, true));
    assertEquals("retrieving: 4/10 sub-operations (40%), completed 3, failed 1, warning 0",
        RetrieveBar.line(p, false));
    assertEquals("retrieving: 0/0 sub-operations (0%), completed 0, failed 0, warning 0",
        RetrieveBar.line(progress(Status.PENDING, null, null, null, null, List.of()), false));
  }

  @Test
  void withoutATerminalTheBarPrintsAtMostEveryFiveSeconds() {
    StringWriter err = new StringWriter();
    AtomicLong now = new AtomicLong();
    RetrieveBar bar = new RetrieveBar(new PrintWriter(err, true), false, now::get);
    bar.pending(progress(Status.PENDING, 2, 1, 0, 0, List.of()));
    now.addAndGet(1_000_000_000L);
    bar.pending(progress(Status.PENDING, 1, 2, 0, 0, List.of()));
    now.addAndGet(5_000_000_000L);
    bar.pending(progress(Status.PENDING, 0, 3, 0, 0, List.of()));
    bar.finish();
    assertEquals(List.of(
        "retrieving: 1/3 sub-operations (33%), completed 1, failed 0, warning 0",
        "retrieving: 3/3 sub-operations (100%), completed 3, failed 0, warning 0"),
        err.toString().lines().toList());
  }

  @Test
  void theSummaryFailsOnAnyFailureButNotOnWarningsAlone() {
    RetrieveSummary ok = new RetrieveSummary("C-MOVE", "DEST",
        progress(Status.SUCCESS, null, 2, 0, 0, List.of()), 1.25, null, 0, 0, 0);
    assertTrue(ok.ok());
    assertEquals("C-MOVE to DEST: completed 2, failed 0, warning 0, status 0000 Success, 1.3 s",
        ok.line());
    assertTrue(new RetrieveSummary("C-MOVE", "DEST",
        progress(0xB000, null, 1, 0, 1, List.of()), 1, null, 0, 0, 0).ok(), "warnings only");
    assertFalse(new RetrieveSummary("C-MOVE", "DEST",
        progress(0xB000, null, 1, 1, 0, List.of("1.2.3")), 1, null, 0, 0, 0).ok());
    assertFalse(new RetrieveSummary("C-MOVE", "X",
        progress(0xA801, null, null, null, null, List.of()), 1, null, 0, 0, 0).ok());
    assertFalse(new RetrieveSummary("C-GET", null,
        progress(Status.CANCEL, 3, 1, 0, 0, List.of()), 1, Path.of("/out"), 1, 10, 0).ok());
    assertFalse(new RetrieveSummary("C-GET", null,
        progress(Status.SUCCESS, null, 2, 0, 0, List.of()), 1, Path.of("/out"), 1, 10, 1).ok(),
        "a file we could not write fails the run even if the SCP counts it otherwise");
  }

  @Test
  void getSummaryAndJsonNameTheFilesAndTheFailures() throws Exception {
    RetrieveSummary s = new RetrieveSummary("C-GET", null,
        progress(0xB000, 0, 2, 1, 0, List.of("1.2.3.9")), 0.5, Path.of("/tmp/out"), 2,
        2_500_000, 0);
    assertEquals("C-GET: completed 2, failed 1, warning 0, status B000 Sub-operations complete, "
        + "one or more failures or warnings; 2 files (2.5 MB) in /tmp/out, 0.5 s", s.line());
    assertEquals(List.of("812 B", "39.1 kB", "1.0 MB", "2.5 MB", "1.2 GB"),
        List.of(812L, 39_092L, 999_990L, 2_500_000L, 1_234_567_890L).stream()
            .map(RetrieveSummary::size).toList());
    JsonNode json = new ObjectMapper().readTree(s.json());
    assertEquals("B000", json.get("status").asText());
    assertEquals(1, json.get("failed").asInt());
    assertEquals("1.2.3.9", json.get("failedSopInstanceUids").get(0).asText());
    assertEquals(2, json.get("filesWritten").asInt());
    assertFalse(json.get("ok").asBoolean());

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(1, s.report(false, new PrintWriter(out), new PrintWriter(err)));
    assertEquals("failed: 1.2.3.9\n", err.toString());
    assertEquals(s.line() + "\n", out.toString().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void fileNamesFromThePeerCannotNameAPath() {
    assertEquals("1.2.840.113619.2.55.3.dcm", GetFiles.fileName("1.2.840.113619.2.55.3"));
    assertEquals("_._.._etc_passwd.dcm", GetFiles.fileName("../../etc/passwd"));
    assertEquals("_etc_passwd.dcm", GetFiles.fileName("/etc/passwd"));
    assertEquals("_..dcm", GetFiles.fileName(".."));
    assertEquals("instance.dcm", GetFiles.fileName(""));
    assertEquals("instance.dcm", GetFiles.fileName(null));
    assertEquals("a_b_c.dcm", GetFiles.fileName("a\\b\0c\n"));
    assertEquals(64 + ".dcm".length(), GetFiles.fileName("1".repeat(500)).length());
    String weird = GetFiles.fileName("x\u00e9\u2028y");
    assertEquals("x__y.dcm", weird);
  }

  @Test
  void distinctUidsThatSanitizeAlikeGetDistinctNamesAndTheSameUidItsOwn() {
    GetFiles files = new GetFiles(Path.of("/nowhere"), Runnable::run, s -> { });
    assertEquals("a_b.dcm", files.claim("a/b"));
    assertEquals("a_b-2.dcm", files.claim("a\\b"));
    assertEquals("a_b.dcm", files.claim("a/b"));
    assertEquals("a_b-3.dcm", files.claim("a_b"));
  }

  @Test
  void getProposesUncompressedContextsAndOneMorePerExtraSyntax() {
    GetCommand.Contexts defaults = GetCommand.storageContexts(List.of(), List.of());
    assertEquals(GetCommand.DEFAULT_SOP_CLASSES.size(), defaults.contexts().size());
    assertEquals(null, defaults.note());
    assertEquals(List.of(Uid.EXPLICIT_VR_LITTLE_ENDIAN, Uid.IMPLICIT_VR_LITTLE_ENDIAN),
        defaults.contexts().get(0).transferSyntaxes());
    assertEquals(Uid.CT_IMAGE_STORAGE, defaults.contexts().get(0).abstractSyntax());

    GetCommand.Contexts named = GetCommand.storageContexts(
        List.of("CTImageStorage", Uid.MR_IMAGE_STORAGE, "UltrasoundImageStorage"),
        List.of("1.2.840.10008.1.2.4.50", Uid.EXPLICIT_VR_LITTLE_ENDIAN));
    assertEquals(List.of(Uid.CT_IMAGE_STORAGE, Uid.MR_IMAGE_STORAGE,
        "1.2.840.10008.5.1.4.1.1.6.1"), named.sopClasses(), "current UID of a reused keyword");
    assertEquals(6, named.contexts().size());
    assertEquals(List.of("1.2.840.10008.1.2.4.50"), named.contexts().get(1).transferSyntaxes());

    GetCommand.Contexts trimmed = GetCommand.storageContexts(List.of(),
        List.of("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.70"));
    assertEquals(42, trimmed.sopClasses().size());
    assertEquals(126, trimmed.contexts().size());
    assertTrue(trimmed.note().contains("first 42 of the"), trimmed.note());

    assertTrue(assertThrows(IllegalArgumentException.class, () -> GetCommand.storageContexts(
        List.of("NoSuchStorage"), List.of())).getMessage().contains("NoSuchStorage"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GetCommand.storageContexts(
        List.of(), List.of("1.2.3"))).getMessage().contains("--ts 1.2.3"));
  }

  @Test
  void everyDefaultSopClassIsAKnownStorageSopClass() {
    for (String keyword : GetCommand.DEFAULT_SOP_CLASSES) {
      assertTrue(GetCommand.storageSopClass(keyword) != null, keyword);
    }
  }
}
