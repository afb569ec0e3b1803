// SPDX-License-Identifier: Apache-2.0
package org.annal.app.qr;

import java.nio.ByteOrder;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * Drops the PS3.10 preamble, "DICM" and File Meta Information (PS3.10 §7.1) from the bytes of a
 * stored blob, passing on only the data set: what a C-STORE sub-operation sends. Annal writes the
 * meta group itself, always with its group length (0002,0000) first, so its end is known from the
 * first 144 bytes. A blob that does not start that way fails the stream. Internal API.
 */
public final class FileMetaStripper {
  private static final int GROUP_LENGTH_VALUE_AT = 140;
  private static final int HEADER = 144;

  private FileMetaStripper() {}

  /** The data set of a whole stored blob (what {@link #flow} passes on, without a stream). */
  public static ByteString strip(ByteString blob) {
    State state = new State();
    ByteString out = state.next(blob).second();
    state.finish();
    return out;
  }

  public static Flow<ByteString, ByteString, NotUsed> flow() {
    return Flow.<ByteString>create()
        .statefulMap(State::new, State::next, State::finish)
        .filter(chunk -> !chunk.isEmpty());
  }

  private static final class State {
    private ByteString head = ByteString.emptyByteString();
    /** Bytes still to drop; -1 while the meta length is not known yet. */
    private long skip = -1;

    Pair<State, ByteString> next(ByteString chunk) {
      if (skip < 0) {
        head = head.concat(chunk);
        if (head.size() < HEADER) {
          return Pair.create(this, ByteString.emptyByteString());
        }
        if (head.apply(128) != 'D' || head.apply(129) != 'I' || head.apply(130) != 'C'
            || head.apply(131) != 'M' || head.apply(132) != 0x02 || head.apply(133) != 0x00
            || head.apply(134) != 0x00 || head.apply(135) != 0x00) {
          throw new IllegalStateException("stored blob does not start with a PS3.10 header "
              + "and its (0002,0000) group length");
        }
        long groupLength = head.slice(GROUP_LENGTH_VALUE_AT, HEADER).asByteBuffer()
            .order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        skip = HEADER + groupLength;
        chunk = head;
        head = null;
      }
      if (skip == 0) {
        return Pair.create(this, chunk);
      }
      if (chunk.size() <= skip) {
        skip -= chunk.size();
        return Pair.create(this, ByteString.emptyByteString());
      }
      ByteString rest = chunk.drop((int) skip);
      skip = 0;
      return Pair.create(this, rest);
    }

    Optional<ByteString> finish() {
      if (skip != 0) {
        throw new IllegalStateException("stored blob ended inside its File Meta Information");
      }
      return Optional.empty();
    }
  }
}
