// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb.impl;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.annal.dicom.Vr;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.util.ByteString;

/**
 * Internal API. Reads the bytes of one STOW-RS body part, a PS3.10 file (PS3.10 §7.1: 128-byte
 * preamble, "DICM", File Meta Information group 0002 in Explicit VR Little Endian, data set):
 *
 * <pre>
 *  part bytes ─▶ [count: fail when above maxPartBytes] ─▶ [buffer: preamble + group 0002 (at most
 *            maxMetaBytes) + the first headBytes of the data set, or the whole part if shorter]
 *            ─▶ [hold the buffer until the previous part's outcome is known]
 *            ─▶ emits that buffer as ONE element, then every later chunk as it arrives
 * </pre>
 *
 * The end of group 0002 is found by walking its element headers (the elements whose group is
 * 0002), not by trusting the group length (0002,0000), as {@link org.annal.dicom.Part10} does, so
 * that both agree on where the data set starts.
 *
 * <p>The part's bytes are always read to their end, whatever happens downstream: when the part is
 * refused (no "DICM", bad meta, too large) the stage fails its output with a {@link PartFailure}
 * and discards the rest; when downstream cancels (a store sink that stops early) the rest is
 * discarded too. A multipart stream only moves on to its next part once the current one has been
 * read, so cancelling a part's bytes must not be what ends it. The materialized value completes
 * once the part has been read to its end: empty, or with the {@link PartFailure} that refused it;
 * exceptionally if the part's bytes themselves failed (client gone, malformed multipart).
 *
 * <p>The end of a part's bytes is not proof that the part is whole: pekko-http's multipart parser
 * ends the last part's bytes normally when the body stops without a delimiter ("Unexpected end of
 * multipart entity" then fails only the stream of parts). So the end is passed downstream only
 * once {@code endConfirmed} completes (the caller completes it when the next part or the end of
 * the parts arrives), and as a failure if it fails: a handler is never told that a cut part ended.
 */
public final class PartReader
    extends AbstractGraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>,
        CompletionStage<Optional<PartFailure>>> {

  private static final int PREAMBLE_AND_PREFIX = 132;

  private final Inlet<ByteString> in = Inlet.create("PartReader.in");
  private final Outlet<ByteString> out = Outlet.create("PartReader.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final long maxPartBytes;
  private final int maxMetaBytes;
  private final int headBytes;
  private final CompletionStage<?> endConfirmed;
  private final CompletionStage<?> previousSettled;

  /**
   * @param maxPartBytes a part longer than this is refused (PS3.18 §I.2.2 A7xx)
   * @param maxMetaBytes cap on preamble + prefix + group 0002 (no legitimate meta comes near 1 MiB)
   * @param headBytes how many data set bytes to buffer before emitting
   * @param endConfirmed completes when the multipart stream is known to go on after this part
   *     (next part, or the close delimiter), fails if it failed instead: see the class comment
   * @param previousSettled completes (either way) when the previous part's outcome is known: the
   *     head waits for it, so that instances reach the handler one after another
   */
  public PartReader(long maxPartBytes, int maxMetaBytes, int headBytes,
      CompletionStage<?> endConfirmed, CompletionStage<?> previousSettled) {
    this.maxPartBytes = maxPartBytes;
    this.maxMetaBytes = maxMetaBytes;
    this.headBytes = headBytes;
    this.endConfirmed = endConfirmed;
    this.previousSettled = previousSettled;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<Optional<PartFailure>>>
      createLogicAndMaterializedValuePair(Attributes attributes) {
    CompletableFuture<Optional<PartFailure>> ended = new CompletableFuture<>();
    return Pair.create(new Logic(ended), ended);
  }

  private final class Logic extends GraphStageLogic {
    private final CompletableFuture<Optional<PartFailure>> ended;
    private ByteString buffer = ByteString.emptyByteString();
    private long total;
    /** Where the data set starts, once group 0002 has been walked; -1 before. */
    private int metaEnd = -1;
    /** Where the walk of group 0002 has got to. */
    private int scan = PREAMBLE_AND_PREFIX;
    private boolean headEmitted;
    /** The head, until the previous part has settled and downstream asks for it. */
    private ByteString pendingHead;
    /** The previous part has settled: the head may go. */
    private boolean released;
    /** The part's bytes have ended: complete once the head has gone. */
    private boolean finished;
    private boolean discarding;
    private PartFailure failure;

    Logic(CompletableFuture<Optional<PartFailure>> ended) {
      super(shape);
      this.ended = ended;
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          onChunk(grab(in));
        }

        @Override
        public void onUpstreamFinish() {
          if (isClosed(out)) {
            onEnd();
            return;
          }
          // Keep the output open until the multipart stream says whether this end was real.
          AsyncCallback<Throwable> confirmed = createAsyncCallback(failure -> {
            if (failure == null) {
              onEnd();
            } else {
              ended.completeExceptionally(failure);
              failStage(failure);
            }
          });
          endConfirmed.whenComplete((ok, failure) -> confirmed.invoke(failure));
        }

        @Override
        public void onUpstreamFailure(Throwable cause) {
          ended.completeExceptionally(cause);
          failStage(cause);
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          if (pendingHead != null) {
            pushHead();
          } else {
            pullIfNeeded();
          }
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
          // The store sink stopped early: read the rest of the part and drop it.
          discarding = true;
          pendingHead = null;
          if (isClosed(in)) {
            ended.complete(Optional.ofNullable(failure));
            completeStage();
          } else {
            pullIfNeeded();
          }
        }
      });
    }

    @Override
    public void preStart() {
      AsyncCallback<Object> release = createAsyncCallback(ignored -> {
        released = true;
        pushHead();
      });
      previousSettled.whenComplete((ok, failure) -> release.invoke(Boolean.TRUE));
      pull(in);
    }

    @Override
    public void postStop() {
      // Ends without onUpstreamFinish/Failure only if the whole graph was torn down.
      ended.completeExceptionally(
          new IllegalStateException("part reader stopped before the part ended"));
    }

    private void pullIfNeeded() {
      if (!isClosed(in) && !hasBeenPulled(in)) {
        pull(in);
      }
    }

    private void onChunk(ByteString chunk) {
      total += chunk.size();
      if (discarding) {
        pull(in);
        return;
      }
      if (total > maxPartBytes) {
        refuse(PartFailure.tooLarge(maxPartBytes));
        pull(in);
        return;
      }
      if (headEmitted) {
        push(out, chunk); // demanded: in is pulled only from onPull once the head is out
        return;
      }
      buffer = buffer.concat(chunk);
      try {
        if (metaEnd < 0) {
          metaEnd = walkMeta(false);
        }
        if (metaEnd >= 0 && buffer.size() - metaEnd >= headBytes) {
          emitHead();
          return; // the next pull comes from downstream's demand
        }
      } catch (PartFailure f) {
        refuse(f);
      }
      pull(in);
    }

    private void onEnd() {
      if (!discarding && !headEmitted && pendingHead == null) {
        try {
          if (metaEnd < 0) {
            metaEnd = walkMeta(true);
          }
          emitHead();
        } catch (PartFailure f) {
          refuse(f);
        }
      }
      ended.complete(Optional.ofNullable(failure));
      if (pendingHead != null && !isClosed(out)) {
        finished = true; // the head is all there is: complete once it has gone
      } else {
        completeStage();
      }
    }

    private void emitHead() {
      pendingHead = buffer;
      buffer = ByteString.emptyByteString();
      pushHead();
    }

    private void pushHead() {
      if (pendingHead != null && released && isAvailable(out)) {
        push(out, pendingHead);
        pendingHead = null;
        headEmitted = true;
        if (finished) {
          completeStage();
        }
      }
    }

    private void refuse(PartFailure f) {
      failure = f;
      discarding = true;
      buffer = ByteString.emptyByteString();
      pendingHead = null;
      if (!isClosed(out)) {
        fail(out, f);
      }
    }

    /**
     * Walks the group 0002 element headers in the buffer (PS3.10 §7.1; Explicit VR Little Endian,
     * PS3.5 §7.1.2). Returns where the data set starts, or -1 if more bytes are needed.
     *
     * @param atEnd the part has no more bytes
     */
    private int walkMeta(boolean atEnd) {
      if (buffer.size() < PREAMBLE_AND_PREFIX) {
        if (atEnd) {
          throw PartFailure.notPart10("the part is " + buffer.size()
              + " bytes, shorter than a PS3.10 preamble and \"DICM\" prefix");
        }
        return -1;
      }
      if (buffer.apply(128) != 'D' || buffer.apply(129) != 'I' || buffer.apply(130) != 'C'
          || buffer.apply(131) != 'M') {
        throw PartFailure.notPart10("no \"DICM\" prefix at byte 128 (PS3.10 §7.1)");
      }
      while (true) {
        if (scan > maxMetaBytes) {
          throw PartFailure.notPart10(
              "File Meta Information longer than " + maxMetaBytes + " bytes");
        }
        if (buffer.size() - scan < 8) {
          if (atEnd) {
            if (buffer.size() == scan && scan > PREAMBLE_AND_PREFIX) {
              return scan;
            }
            throw PartFailure.notPart10("the part ends inside its File Meta Information");
          }
          return -1;
        }
        if (uint16(scan) != 0x0002) {
          if (scan == PREAMBLE_AND_PREFIX) {
            throw PartFailure.notPart10("no File Meta Information (group 0002) after \"DICM\"");
          }
          return scan;
        }
        Vr vr = Vr.ofCode(((buffer.apply(scan + 4) & 0xFF) << 8) | (buffer.apply(scan + 5) & 0xFF));
        if (vr == null) {
          throw PartFailure.notPart10(String.format(
              "File Meta Information element at byte %d has no valid VR", scan));
        }
        long length;
        int header;
        if (vr.hasLongLength()) {
          if (buffer.size() - scan < 12) {
            if (atEnd) {
              throw PartFailure.notPart10("the part ends inside its File Meta Information");
            }
            return -1;
          }
          length = uint16(scan + 8) | ((long) uint16(scan + 10) << 16);
          header = 12;
        } else {
          length = uint16(scan + 6);
          header = 8;
        }
        if (length > maxMetaBytes) {
          throw PartFailure.notPart10("File Meta Information element at byte " + scan
              + " claims " + length + " bytes");
        }
        scan += header + (int) length;
      }
    }

    private int uint16(int at) {
      return (buffer.apply(at) & 0xFF) | ((buffer.apply(at + 1) & 0xFF) << 8);
    }
  }
}
