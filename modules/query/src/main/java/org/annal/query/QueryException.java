// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

/**
 * A query the index cannot answer because the identifier is not valid for the model and level. The
 * C-FIND SCP answers {@link Reason#IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS} with status A900 and
 * {@link Reason#UNABLE_TO_PROCESS} with C000 (PS3.4 C.4.1.1.4), naming {@link #tag()} in Offending
 * Element / Error Comment.
 */
public final class QueryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the query was refused. */
  public enum Reason {
    /** Level not in the model, or a required Unique Key of a higher level missing or not single. */
    IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS,
    /** A matching key whose value cannot be parsed (e.g. a malformed date range). */
    UNABLE_TO_PROCESS
  }

  private final Reason reason;
  private final int tag;

  public QueryException(Reason reason, int tag, String message) {
    super(message);
    this.reason = reason;
    this.tag = tag;
  }

  public Reason reason() {
    return reason;
  }

  /** The offending attribute's tag, or -1. */
  public int tag() {
    return tag;
  }
}
