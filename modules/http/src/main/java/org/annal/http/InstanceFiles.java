// SPDX-License-Identifier: Apache-2.0
package org.annal.http;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/** Opens the stored file (PS3.10) of one instance, wherever in the cluster it lives. */
@FunctionalInterface
public interface InstanceFiles {

  /**
   * Empty when the study has no such instance. Fails with {@link UnavailableException} when the
   * instance exists but no node holding it answers now.
   */
  CompletionStage<Optional<InstanceFile>> open(String studyInstanceUid, String sopInstanceUid);

  /**
   * @param size bytes, as recorded in the journal
   * @param bytes the file; fails if its bytes do not match the recorded size and SHA-256
   * @param nodeId the node it is read from
   */
  record InstanceFile(long size, Source<ByteString, ?> bytes, String nodeId) {}

  /** The instance is on record but cannot be read now (its node is down or unreachable). */
  final class UnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
      super(message);
    }
  }
}
