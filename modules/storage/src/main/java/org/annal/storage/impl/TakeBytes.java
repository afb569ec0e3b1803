// SPDX-License-Identifier: Apache-2.0
package org.annal.storage.impl;

import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Internal API. Passes at most {@code limit} bytes, then completes and cancels upstream (so a
 * ranged read stops reading the file). With a limit of 0 it still waits for the first element or
 * completion, so that an upstream failure (a missing file) is not hidden.
 */
public final class TakeBytes extends GraphStage<FlowShape<ByteString, ByteString>> {
  private final Inlet<ByteString> in = Inlet.create("TakeBytes.in");
  private final Outlet<ByteString> out = Outlet.create("TakeBytes.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final long limit;

  public TakeBytes(long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("negative limit " + limit);
    }
    this.limit = limit;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new GraphStageLogic(shape) {
      private long remaining = limit;

      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                ByteString bytes = grab(in);
                if (remaining == 0) {
                  completeStage();
                } else if (bytes.size() >= remaining) {
                  push(out, bytes.take((int) remaining));
                  remaining = 0;
                  completeStage();
                } else {
                  remaining -= bytes.size();
                  push(out, bytes);
                }
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(in);
              }
            });
      }
    };
  }
}
