// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import java.util.List;
import org.annal.dicom.Dataset;

/**
 * The answer to a C-FIND identifier: the matches (each a response identifier) in a stable order.
 *
 * @param matches at most {@code cap} response identifiers
 * @param capped true if more entities matched than {@code cap}: the C-FIND SCP must say so (it
 *     ends with a failure/warning status of its choosing, the answer is incomplete)
 * @param cap the effective result cap (the smaller of the caller's limit and the configured
 *     {@code annal.query.max-results})
 */
public record FindResult(List<Dataset> matches, boolean capped, int cap) {
  public FindResult {
    matches = List.copyOf(matches);
  }
}
