// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.util.List;

/**
 * What a C-MOVE or C-GET did, told to {@link RetrieveHandler#onRetrieveCompleted} after the final
 * response, so that the archive can record the access.
 *
 * @param kind MOVE or GET
 * @param request the request
 * @param destinationAeTitle the Move Destination, or the calling AE title for C-GET
 * @param completed SOP Instance UIDs whose C-STORE succeeded
 * @param failed SOP Instance UIDs whose C-STORE failed or could not be attempted
 * @param warning SOP Instance UIDs whose C-STORE answered a warning (stored)
 * @param cancelled whether a C-CANCEL-RQ stopped it (PS3.4 C.4.2.1.6: remaining not sent)
 * @param finalStatus the status of the final response
 */
public record RetrieveReport(RetrieveKind kind, RetrieveRq request, String destinationAeTitle,
    List<String> completed, List<String> failed, List<String> warning, boolean cancelled,
    DimseStatus finalStatus) {
  public RetrieveReport {
    completed = List.copyOf(completed);
    failed = List.copyOf(failed);
    warning = List.copyOf(warning);
  }
}
