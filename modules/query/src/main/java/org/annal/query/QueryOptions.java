// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

/**
 * Per-query matching options, normally from the association's extended negotiation (PS3.4
 * C.5.1.1 / C.5.2.1) and the archive's configuration.
 *
 * @param combinedDateTime combined date and time range matching (PS3.4 C.2.2.2.5.1): a Date and
 *     its Time key match as one date-time range instead of independently
 * @param caseInsensitivePersonName match PN values ignoring case (PS3.4 C.2.2.2.1 allows it as
 *     an SCP choice; configuration {@code annal.query.person-name-case-insensitive})
 * @param relational the Unique Keys of the levels above need not be given (PS3.4 C.4.1.2.2
 *     relational search, as QIDO-RS {@code /series} and {@code /instances} across studies use it,
 *     PS3.18 §10.6): those given still restrict the answer; keys of other levels still do not
 */
public record QueryOptions(boolean combinedDateTime, boolean caseInsensitivePersonName,
    boolean relational) {

  /** Hierarchical search (C.4.1.2.1), what C-FIND does unless relational queries were negotiated. */
  public QueryOptions(boolean combinedDateTime, boolean caseInsensitivePersonName) {
    this(combinedDateTime, caseInsensitivePersonName, false);
  }

  public QueryOptions withRelational(boolean on) {
    return new QueryOptions(combinedDateTime, caseInsensitivePersonName, on);
  }
}
