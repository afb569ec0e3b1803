// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

/** The embedded Cassandra could not be started, did not become ready, or died. */
public final class EmbeddedCassandraException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EmbeddedCassandraException(String message) {
    super(message);
  }

  public EmbeddedCassandraException(String message, Throwable cause) {
    super(message, cause);
  }
}
