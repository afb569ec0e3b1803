// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import java.util.List;

/**
 * One DICOMweb retrieval of instances of one study, as the study's journal will record it.
 *
 * @param how {@code WADO-RS} or {@code WADO-URI}
 * @param resource what was asked for, e.g. {@code /studies/1.2/series/1.3/metadata}
 * @param clientAddress the client's {@code host:port} (or host) as the server saw it
 * @param userAgent the request's User-Agent, or empty
 * @param studyInstanceUid the study
 * @param seriesInstanceUids the series of the instances below, sorted
 * @param completed SOP Instance UIDs whose bytes were all sent
 * @param failed SOP Instance UIDs that could not be read or whose sending broke off
 * @param httpStatus the response status, e.g. 200
 * @param requestedAt when the request arrived, UTC epoch ms
 */
public record WadoAccess(
    String how,
    String resource,
    String clientAddress,
    String userAgent,
    String studyInstanceUid,
    List<String> seriesInstanceUids,
    List<String> completed,
    List<String> failed,
    int httpStatus,
    long requestedAt) {
  public WadoAccess {
    seriesInstanceUids = List.copyOf(seriesInstanceUids);
    completed = List.copyOf(completed);
    failed = List.copyOf(failed);
  }
}
