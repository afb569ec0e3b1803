// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.annal.dicom.json.DicomJson;
import org.annal.http.impl.HttpErrors;
import org.annal.query.FindResult;
import org.annal.query.QueryException;
import org.annal.query.QueryRetrieveLevel;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * QIDO-RS (PS3.18 §10.6): {@code /studies}, {@code /series}, {@code /instances}, and the same
 * nested under a study or series, answered from the query index as C-FIND would (PS3.4 C.2.2.2
 * matching, relational so that {@code /series} and {@code /instances} need no study), in the DICOM
 * JSON model (PS3.18 Annex F).
 *
 * <p>Query parameters (§8.3.4): attribute keyword or tag ({@code PatientID=X},
 * {@code 00100020=X}) as match keys; {@code includefield} (repeated or comma-separated, or
 * {@code all}); {@code limit} and {@code offset}; {@code fuzzymatching} (accepted, fuzzy person
 * name matching is not offered: names match as in C-FIND). Any other parameter, a sequence
 * attribute path or an unknown keyword is 400. Matches beyond {@code annal.query.max-results} are
 * cut and a {@code Warning: 299} header says so (§10.6.3.2). No match: 200 with {@code []}.
 */
public final class QidoRs extends AllDirectives {
  /** Default return attributes per level, PS3.18 Tables 10.6.3-3 .. 10.6.3-5. */
  static final Map<QueryRetrieveLevel, List<Integer>> DEFAULTS = Map.of(
      QueryRetrieveLevel.STUDY, List.of(Tag.StudyDate, Tag.StudyTime, Tag.AccessionNumber,
          Tag.ModalitiesInStudy, Tag.ReferringPhysicianName, Tag.PatientName, Tag.PatientID,
          Tag.PatientBirthDate, Tag.PatientSex, Tag.StudyInstanceUID, Tag.StudyID,
          Tag.NumberOfStudyRelatedSeries, Tag.NumberOfStudyRelatedInstances),
      QueryRetrieveLevel.SERIES, List.of(Tag.Modality, Tag.SeriesDescription,
          Tag.SeriesInstanceUID, Tag.SeriesNumber, Tag.NumberOfSeriesRelatedInstances),
      QueryRetrieveLevel.IMAGE, List.of(Tag.SOPClassUID, Tag.SOPInstanceUID, Tag.InstanceNumber,
          Tag.Rows, Tag.Columns, Tag.BitsAllocated, Tag.NumberOfFrames));

  /** What {@code includefield=all} adds: every attribute the index keeps at that level. */
  static final Map<QueryRetrieveLevel, List<Integer>> ALL = Map.of(
      QueryRetrieveLevel.STUDY, List.of(Tag.IssuerOfPatientID, Tag.StudyDescription,
          Tag.SOPClassesInStudy),
      QueryRetrieveLevel.SERIES, List.of(Tag.SeriesDate, Tag.SeriesTime, Tag.InstitutionName,
          Tag.StationName, Tag.BodyPartExamined, Tag.Laterality),
      QueryRetrieveLevel.IMAGE, List.of(Tag.ImageType, Tag.ContentDate, Tag.ContentTime,
          Tag.PhotometricInterpretation));

  private final DicomWebArchive archive;
  private final Executor blocking;

  public QidoRs(DicomWebArchive archive, Executor blocking) {
    this.archive = archive;
    this.blocking = blocking;
  }

  /**
   * The search at {@code level}, within {@code studyUid} / {@code seriesUid} when not null.
   *
   * @param baseUrl e.g. {@code http://host:8080/dicom-web}, for the RetrieveURL (0008,1190)
   */
  public Route search(QueryRetrieveLevel level, String studyUid, String seriesUid,
      String baseUrl) {
    return parameterList(params -> {
      Search search;
      try {
        search = Search.parse(level, studyUid, seriesUid, params);
      } catch (IllegalArgumentException e) {
        return HttpErrors.error(StatusCodes.BAD_REQUEST, e.getMessage());
      }
      CompletableFuture<HttpResponse> answer = CompletableFuture.supplyAsync(
          () -> answer(search, baseUrl), blocking);
      return completeWithFuture(answer.exceptionally(e -> {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        if (cause instanceof QueryException q) {
          return HttpErrors.response(StatusCodes.BAD_REQUEST, q.getMessage());
        }
        throw new java.util.concurrent.CompletionException(cause);
      }));
    });
  }

  private HttpResponse answer(Search search, String baseUrl) {
    int wanted = (int) Math.min((long) search.offset + search.limit, Integer.MAX_VALUE);
    FindResult found = archive.find(search.level, search.identifier, wanted);
    List<Dataset> page = new ArrayList<>();
    List<Dataset> matches = found.matches();
    for (int i = search.offset; i < matches.size(); i++) {
      Dataset d = matches.get(i);
      d.remove(Tag.QueryRetrieveLevel); // a C-FIND answer's, not part of a QIDO-RS one
      d.putString(Tag.RetrieveURL, Vr.UR, retrieveUrl(baseUrl, search.level, d));
      d.putString(Tag.InstanceAvailability, Vr.CS, "ONLINE");
      page.add(d);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      DicomJson.writeArray(page, out, DicomJson.Options.INLINE_ALL);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpResponse response = HttpResponse.create().withEntity(
        HttpEntities.create(DicomWebMedia.DICOM_JSON, out.toByteArray()));
    // Cut by the server's own cap rather than by the client's limit: say so (§10.6.3.2).
    if (found.capped() && found.cap() < wanted) {
      response = response.addHeader(RawHeader.create("Warning", "299 annal: The number of "
          + "results exceeded the maximum supported by the server (" + found.cap()
          + "). Additional results can be requested."));
    }
    return response;
  }

  static String retrieveUrl(String baseUrl, QueryRetrieveLevel level, Dataset d) {
    String url = baseUrl + "/studies/" + d.getString(Tag.StudyInstanceUID);
    if (level == QueryRetrieveLevel.SERIES || level == QueryRetrieveLevel.IMAGE) {
      url += "/series/" + d.getString(Tag.SeriesInstanceUID);
    }
    if (level == QueryRetrieveLevel.IMAGE) {
      url += "/instances/" + d.getString(Tag.SOPInstanceUID);
    }
    return url;
  }

  /** A parsed QIDO-RS request: the C-FIND identifier, limit and offset. */
  record Search(QueryRetrieveLevel level, Dataset identifier, int limit, int offset) {

    static final int DEFAULT_LIMIT = Integer.MAX_VALUE / 2;

    static Search parse(QueryRetrieveLevel level, String studyUid, String seriesUid,
        List<Map.Entry<String, String>> params) {
      Dataset id = new Dataset();
      // URLs are UTF-8 (RFC 3986); the identifier says so (PS3.18 §8.3.4.6).
      id.putString(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
      Set<Integer> returnKeys = new LinkedHashSet<>(DEFAULTS.get(level));
      int limit = DEFAULT_LIMIT;
      int offset = 0;
      for (Map.Entry<String, String> p : params) {
        String name = p.getKey();
        String value = p.getValue();
        switch (name) {
          case "limit" -> limit = nonNegative(name, value);
          case "offset" -> offset = nonNegative(name, value);
          case "fuzzymatching" -> {
            if (!value.equals("true") && !value.equals("false")) {
              throw new IllegalArgumentException("fuzzymatching must be true or false: " + value);
            }
          }
          case "accept", "charset" -> { } // negotiated by the caller
          case "includefield" -> {
            for (String f : value.split(",")) {
              if (f.strip().equals("all")) {
                returnKeys.addAll(ALL.get(level));
                for (QueryRetrieveLevel above : levelsAbove(level)) {
                  returnKeys.addAll(DEFAULTS.get(above));
                  returnKeys.addAll(ALL.get(above));
                }
              } else if (!f.isBlank()) {
                returnKeys.add(tagOf(f.strip()));
              }
            }
          }
          default -> {
            int tag = tagOf(name);
            putKey(id, tag, value);
          }
        }
      }
      if (limit == 0) {
        limit = DEFAULT_LIMIT;
      }
      if (studyUid != null) {
        id.putString(Tag.StudyInstanceUID, Vr.UI, studyUid);
      }
      if (seriesUid != null) {
        id.putString(Tag.SeriesInstanceUID, Vr.UI, seriesUid);
      }
      // Unique keys of this level and above come back always (relational answers name them).
      returnKeys.add(Tag.StudyInstanceUID);
      if (level != QueryRetrieveLevel.STUDY) {
        returnKeys.add(Tag.SeriesInstanceUID);
      }
      for (int tag : returnKeys) {
        if (!id.contains(tag)) {
          Vr vr = ElementDictionary.vrOf(tag);
          if (vr == Vr.SQ) {
            continue;
          }
          id.put(Element.ofBytes(tag, vr, new byte[0]));
        }
      }
      return new Search(level, id, limit, offset);
    }

    private static List<QueryRetrieveLevel> levelsAbove(QueryRetrieveLevel level) {
      return switch (level) {
        case PATIENT, STUDY -> List.of();
        case SERIES -> List.of(QueryRetrieveLevel.STUDY);
        case IMAGE -> List.of(QueryRetrieveLevel.STUDY, QueryRetrieveLevel.SERIES);
      };
    }

    private static void putKey(Dataset id, int tag, String value) {
      Vr vr = ElementDictionary.vrOf(tag);
      if (vr == Vr.SQ) {
        throw new IllegalArgumentException("sequence matching is not supported by QIDO-RS here: "
            + ElementDictionary.keywordOf(tag));
      }
      if (vr.isText()) {
        id.putString(tag, vr, value);
        return;
      }
      try {
        switch (vr) {
          case US, SS, UL, SL -> id.putInts(tag, vr, Integer.parseInt(value.strip()));
          default -> throw new IllegalArgumentException("cannot match on "
              + ElementDictionary.keywordOf(tag) + " (VR " + vr + ")");
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(ElementDictionary.keywordOf(tag)
            + " must be an integer: " + value);
      }
    }

    static int tagOf(String name) {
      int tag;
      if (name.matches("[0-9A-Fa-f]{8}")) {
        tag = (int) Long.parseLong(name, 16);
      } else if (name.contains(".")) {
        throw new IllegalArgumentException("attribute paths (sequence matching) are not "
            + "supported by QIDO-RS here: " + HttpErrors.clip(name));
      } else {
        tag = ElementDictionary.tagOf(name);
      }
      if (tag == -1 || ElementDictionary.vrOf(tag) == null) {
        throw new IllegalArgumentException("unknown query parameter or attribute: " + HttpErrors.clip(name));
      }
      return tag;
    }

    private static int nonNegative(String name, String value) {
      try {
        int v = Integer.parseInt(value.strip());
        if (v >= 0) {
          return v;
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw new IllegalArgumentException(name + " must be a non-negative integer: " + HttpErrors.clip(value));
    }

  }
}
