// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks that what a peer was told is stored really is: listed once in its study's state, and its
 * blob on disk is a PS3.10 file whose SHA-256 is the one in the state, whose meta names the
 * negotiated transfer syntax and the SOP instance, and whose data set is byte for byte the data set
 * the peer sent. Collects every problem instead of stopping at the first, so that one run of a
 * suite says everything that is wrong.
 */
final class StoredInstances {
  private final StudyApi api;
  private final BlobFiles blobs;
  private final Map<String, StudyApi.Study> studies = new HashMap<>();

  /** What the peer was answered Success (or Warning) for. */
  record Expected(String label, String studyInstanceUid, String sopInstanceUid, String transferSyntaxUid, byte[] dataSetSent) {}

  StoredInstances(StudyApi api, BlobFiles blobs) {
    this.api = api;
    this.blobs = blobs;
  }

  /** Forget cached study documents (after more was stored). */
  void refresh() {
    studies.clear();
  }

  StudyApi.Study study(String studyInstanceUid) {
    return studies.computeIfAbsent(studyInstanceUid, api::study);
  }

  static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Problems with {@code expected}, empty if it is stored as it should be. */
  List<String> check(Expected expected) {
    List<String> problems = new ArrayList<>();
    String what = expected.label() + " (" + expected.sopInstanceUid() + ")";
    StudyApi.Study study;
    try {
      study = study(expected.studyInstanceUid());
    } catch (AssertionError e) {
      problems.add(what + ": " + e.getMessage());
      return problems;
    }
    int listed = study.listings().getOrDefault(expected.sopInstanceUid(), 0);
    if (listed != 1) {
      problems.add(what + ": listed " + listed + " times in study " + expected.studyInstanceUid()
          + " (instances: " + study.instances().keySet() + ")");
      return problems;
    }
    StudyApi.Instance instance = study.instances().get(expected.sopInstanceUid());
    if (instance.sha256() == null) {
      problems.add(what + ": no sha256 in " + instance.json());
    }
    if (instance.transferSyntaxUid() != null && !instance.transferSyntaxUid().equals(expected.transferSyntaxUid())) {
      problems.add(what + ": study state says transfer syntax " + instance.transferSyntaxUid()
          + ", negotiated was " + expected.transferSyntaxUid());
    }
    if (instance.datasetSha256() != null && expected.dataSetSent() != null
        && !instance.datasetSha256().equals(sha256(expected.dataSetSent()))) {
      problems.add(what + ": study state's datasetSha256 " + instance.datasetSha256()
          + " is not the SHA-256 of the data set sent, " + sha256(expected.dataSetSent()));
    }
    Optional<Path> file = blobs.find(instance);
    if (file.isEmpty()) {
      problems.add(what + ": no blob file for placement " + instance.json() + " under " + blobs.blobsDirectory());
      return problems;
    }
    String sha = BlobFiles.sha256(file.get());
    if (instance.sha256() != null && !sha.equals(instance.sha256())) {
      problems.add(what + ": blob " + file.get() + " has SHA-256 " + sha + ", the study state says " + instance.sha256());
    }
    try {
      long size = Files.size(file.get());
      if (instance.size() >= 0 && instance.size() != size) {
        problems.add(what + ": blob is " + size + " bytes, the study state says " + instance.size());
      }
    } catch (java.io.IOException e) {
      problems.add(what + ": " + e);
    }
    Part10File part10;
    try {
      part10 = Part10File.read(file.get());
    } catch (RuntimeException e) {
      problems.add(what + ": blob " + file.get() + " is not a PS3.10 file: " + e.getMessage());
      return problems;
    }
    if (!part10.transferSyntaxUid().equals(expected.transferSyntaxUid())) {
      problems.add(what + ": blob meta says transfer syntax " + part10.transferSyntaxUid()
          + ", negotiated was " + expected.transferSyntaxUid());
    }
    if (!part10.sopInstanceUid().equals(expected.sopInstanceUid())) {
      problems.add(what + ": blob meta says SOP instance " + part10.sopInstanceUid());
    }
    byte[] stored = part10.dataSet();
    if (expected.dataSetSent() == null) {
      problems.add(what + ": no reference data set captured");
    } else {
      long difference = Part10File.firstDifference(stored, expected.dataSetSent());
      if (difference >= 0) {
        problems.add(what + ": stored data set (" + stored.length + " bytes) differs from the one sent ("
            + expected.dataSetSent().length + " bytes) from byte " + difference + " on; blob " + file.get());
      }
    }
    return problems;
  }
}
