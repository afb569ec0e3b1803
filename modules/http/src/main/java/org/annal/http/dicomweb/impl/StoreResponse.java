// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb.impl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import org.annal.http.UidSyntax;

/**
 * Internal API. The Store Instances Response Module (PS3.18 Annex I, Table I.1-1) in the DICOM
 * JSON Model (PS3.18 Annex F), and the HTTP status of a STOW-RS answer (PS3.18 §10.5.3.1, Table
 * 10.5.3-1).
 *
 * <pre>
 * { "00081190": {"vr":"UR","Value":["{base}/studies/{study}"]},      Retrieve URL of the study
 *   "00081198": {"vr":"SQ","Value":[{                                 Failed SOP Sequence
 *       "00081150": {"vr":"UI",..}, "00081155": {"vr":"UI",..},      SOP class, instance
 *       "00081197": {"vr":"US","Value":[49152]} }]},                 Failure Reason
 *   "00081199": {"vr":"SQ","Value":[{                                 Referenced SOP Sequence
 *       "00081150": .., "00081155": ..,
 *       "00081190": {"vr":"UR","Value":["{base}/studies/{s}/series/{se}/instances/{i}"]},
 *       "00081196": {"vr":"US","Value":[45056]} }]} }                 Warning Reason, if any
 * </pre>
 *
 * Keys are in ascending tag order. A Type 2 Retrieve URL that cannot be given (study or series
 * not known, several studies in one request) has no "Value" (PS3.18 §F.2.5). A failed part that
 * did not say its SOP Class or Instance UID has that key left out.
 */
public final class StoreResponse {
  private StoreResponse() {}

  /**
   * 200 every instance stored without warning; 202 some stored, with failures or warnings; 409
   * none stored; 413 none stored and at least one part exceeded the size limit.
   */
  public static int httpStatus(List<PartResult> results) {
    long stored = results.stream().filter(PartResult::stored).count();
    boolean clean = results.stream().allMatch(r -> r.stored() && !r.warning());
    if (stored > 0) {
      return clean ? 200 : 202;
    }
    return results.stream().anyMatch(PartResult::tooLarge) ? 413 : 409;
  }

  /**
   * @param baseUrl e.g. "http://host:8080/dicom-web"
   * @param requestStudy the StudyInstanceUID of POST /studies/{uid}, or null for POST /studies
   */
  public static ObjectNode body(String baseUrl, String requestStudy, List<PartResult> results) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode body = f.objectNode();
    String study = requestStudy;
    if (study == null) {
      List<String> studies = results.stream().filter(PartResult::stored)
          .map(PartResult::studyInstanceUid).distinct().toList();
      study = studies.size() == 1 ? studies.get(0) : null;
    }
    body.set("00081190", url(f, UidSyntax.isValid(study) ? baseUrl + "/studies/" + study : null));
    ArrayNode failed = f.arrayNode();
    ArrayNode referenced = f.arrayNode();
    for (PartResult r : results) {
      ObjectNode item = f.objectNode();
      if (r.sopClassUid() != null) {
        item.set("00081150", attribute(f, "UI", r.sopClassUid()));
      }
      if (r.sopInstanceUid() != null) {
        item.set("00081155", attribute(f, "UI", r.sopInstanceUid()));
      }
      if (r.stored()) {
        item.set("00081190", url(f, instanceUrl(baseUrl, r)));
        if (r.warning()) {
          item.set("00081196", unsignedShort(f, r.reason()));
        }
        referenced.add(item);
      } else {
        item.set("00081197", unsignedShort(f, r.reason()));
        failed.add(item);
      }
    }
    if (!failed.isEmpty()) {
      body.set("00081198", sequence(f, failed));
    }
    if (!referenced.isEmpty()) {
      body.set("00081199", sequence(f, referenced));
    }
    return body;
  }

  /** Retrieve Transaction instance URL (PS3.18 §10.4), or null unless the 3 UIDs are valid. */
  static String instanceUrl(String baseUrl, PartResult r) {
    boolean valid = UidSyntax.isValid(r.studyInstanceUid())
        && UidSyntax.isValid(r.seriesInstanceUid()) && UidSyntax.isValid(r.sopInstanceUid());
    return valid ? baseUrl + "/studies/" + r.studyInstanceUid() + "/series/"
        + r.seriesInstanceUid() + "/instances/" + r.sopInstanceUid() : null;
  }

  private static ObjectNode attribute(JsonNodeFactory f, String vr, String value) {
    ObjectNode node = f.objectNode().put("vr", vr);
    node.putArray("Value").add(Objects.requireNonNull(value));
    return node;
  }

  private static ObjectNode url(JsonNodeFactory f, String url) {
    return url == null ? f.objectNode().put("vr", "UR") : attribute(f, "UR", url);
  }

  private static ObjectNode unsignedShort(JsonNodeFactory f, int value) {
    ObjectNode node = f.objectNode().put("vr", "US");
    node.putArray("Value").add(value & 0xFFFF);
    return node;
  }

  private static ObjectNode sequence(JsonNodeFactory f, ArrayNode items) {
    ObjectNode node = f.objectNode().put("vr", "SQ");
    node.set("Value", items);
    return node;
  }
}
