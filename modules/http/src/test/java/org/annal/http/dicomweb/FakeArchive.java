// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomFile;
import org.annal.dicom.Part10;
import org.annal.dicom.Tag;
import org.annal.http.InstanceFiles;
import org.annal.query.FindResult;
import org.annal.query.IndexedInstance;
import org.annal.query.QueryRetrieveLevel;
import org.apache.pekko.util.ByteString;

/**
 * An archive of real files (../shared/testdata): instances as the index would list them, bytes
 * as stored. {@link #find} records the identifier it is given and answers one data set per
 * distinct entity at the level whose keys equal the identifier's non-empty ones (the matching
 * itself is the query module's, tested there and end to end in modules/app).
 */
final class FakeArchive implements DicomWebArchive {
  static final Path TESTDATA = Path.of(System.getProperty("annal.testdata.dicom",
      "/work/shared/testdata/dicom"));

  record Stored(IndexedInstance instance, byte[] file, Dataset dataset) {}

  final Map<String, Stored> bySop = new LinkedHashMap<>();
  final List<Dataset> identifiers = new CopyOnWriteArrayList<>();
  final List<Integer> limits = new CopyOnWriteArrayList<>();
  final List<WadoAccess> accesses = new CopyOnWriteArrayList<>();
  volatile String unavailableSop;
  volatile int cap = 100;

  FakeArchive(String... files) throws IOException {
    for (String name : files) {
      byte[] bytes = Files.readAllBytes(TESTDATA.resolve(name));
      DicomFile f = Part10.read(TESTDATA.resolve(name));
      Dataset ds = f.dataset();
      IndexedInstance i = new IndexedInstance(ds.getString(Tag.StudyInstanceUID),
          ds.getString(Tag.SeriesInstanceUID), ds.getString(Tag.SOPInstanceUID),
          ds.getString(Tag.SOPClassUID), f.transferSyntaxUid(), bytes.length, sha256(bytes),
          "node-a", name);
      bySop.put(i.sopInstanceUid(), new Stored(i, bytes, ds));
    }
  }

  Stored file(String name) {
    return bySop.values().stream().filter(s -> s.instance().blobKey().equals(name)).findFirst()
        .orElseThrow();
  }

  @Override
  public FindResult find(QueryRetrieveLevel level, Dataset identifier, int limit) {
    identifiers.add(identifier);
    limits.add(limit);
    int unique = switch (level) {
      case PATIENT, STUDY -> Tag.StudyInstanceUID;
      case SERIES -> Tag.SeriesInstanceUID;
      case IMAGE -> Tag.SOPInstanceUID;
    };
    Map<String, Dataset> out = new LinkedHashMap<>();
    for (Stored s : bySop.values()) {
      boolean match = true;
      for (var e : identifier.elements()) {
        String want = identifier.getString(e.tag());
        if (e.tag() == Tag.SpecificCharacterSet || want == null || want.isEmpty()) {
          continue;
        }
        match &= want.equals(s.dataset().getString(e.tag()));
      }
      if (match) {
        Dataset answer = new Dataset();
        answer.putString(Tag.QueryRetrieveLevel, org.annal.dicom.Vr.CS, level.name()); // as C-FIND answers
        for (var e : identifier.elements()) {
          String v = s.dataset().getString(e.tag());
          if (e.vr().isText()) {
            answer.putString(e.tag(), e.vr(), v == null ? "" : v);
          }
        }
        out.putIfAbsent(s.dataset().getString(unique), answer);
      }
    }
    List<Dataset> all = new ArrayList<>(out.values());
    int n = Math.min(Math.min(limit, cap), all.size());
    return new FindResult(all.subList(0, n), all.size() > n && n == cap, cap);
  }

  @Override
  public List<IndexedInstance> instances(String studyUid, String seriesUid, String sopUid) {
    return bySop.values().stream().map(Stored::instance)
        .filter(i -> i.studyInstanceUid().equals(studyUid))
        .filter(i -> seriesUid == null || i.seriesInstanceUid().equals(seriesUid))
        .filter(i -> sopUid == null || i.sopInstanceUid().equals(sopUid))
        .sorted(Comparator.comparing(IndexedInstance::sopInstanceUid)).toList();
  }

  @Override
  public CompletionStage<ByteString> read(IndexedInstance instance) {
    if (instance.sopInstanceUid().equals(unavailableSop)) {
      return CompletableFuture.failedFuture(new InstanceFiles.UnavailableException(
          "instance " + instance.sopInstanceUid() + " is stored on node-b (down)"));
    }
    return CompletableFuture.completedFuture(
        ByteString.fromArray(bySop.get(instance.sopInstanceUid()).file()));
  }

  @Override
  public void accessed(WadoAccess access) {
    accesses.add(access);
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
