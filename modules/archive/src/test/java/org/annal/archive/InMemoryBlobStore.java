// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.annal.archive.impl.Sha256;
import org.annal.storage.BlobKey;
import org.annal.storage.BlobNotFoundException;
import org.annal.storage.BlobStore;
import org.annal.storage.StoredBlob;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/** A BlobStore in a map, for tests: same contract as the file system one, minus durability. */
final class InMemoryBlobStore implements BlobStore {
  private final Map<BlobKey, ByteString> blobs = new ConcurrentHashMap<>();
  private volatile boolean failPuts;

  @Override
  public Sink<ByteString, CompletionStage<StoredBlob>> put() {
    if (failPuts) {
      return Sink.<ByteString>ignore().mapMaterializedValue(done -> done.thenCompose(
          d -> CompletableFuture.failedFuture(new java.io.IOException("disk full (test)"))));
    }
    // Nothing is kept if the upstream fails: fold fails, no entry is added.
    return Sink.<ByteString, ByteString>fold(ByteString.emptyByteString(), ByteString::concat)
        .mapMaterializedValue(all -> all.thenApply(bytes -> {
          BlobKey key = new BlobKey(UUID.randomUUID().toString());
          blobs.put(key, bytes.compact());
          return new StoredBlob(key, bytes.size(), Sha256.of(bytes.toArray()));
        }));
  }

  @Override
  public Source<ByteString, NotUsed> get(BlobKey key) {
    ByteString b = blobs.get(key);
    if (b == null) {
      return Source.failed(new BlobNotFoundException(key));
    }
    return chunks(b);
  }

  @Override
  public CompletionStage<ByteString> readAll(BlobKey key) {
    ByteString b = blobs.get(key);
    return b == null ? java.util.concurrent.CompletableFuture.failedFuture(
        new BlobNotFoundException(key)) : java.util.concurrent.CompletableFuture.completedFuture(b);
  }

  /** Several chunks, as a real store would stream them. */
  private static Source<ByteString, NotUsed> chunks(ByteString b) {
    java.util.List<ByteString> list = new java.util.ArrayList<>();
    for (int i = 0; i < b.size(); i += 1000) {
      list.add(b.slice(i, Math.min(b.size(), i + 1000)));
    }
    return Source.from(list);
  }

  @Override
  public Source<ByteString, NotUsed> get(BlobKey key, long offset, long length) {
    ByteString b = blobs.get(key);
    if (b == null) {
      return Source.failed(new BlobNotFoundException(key));
    }
    int from = (int) Math.min(offset, b.size());
    int to = (int) Math.min(b.size(), offset + length);
    return chunks(b.slice(from, to));
  }

  @Override
  public CompletionStage<Done> delete(BlobKey key) {
    blobs.remove(key);
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public Source<BlobKey, NotUsed> keys() {
    return Source.from(java.util.List.copyOf(blobs.keySet()));
  }

  void failPuts(boolean fail) {
    failPuts = fail;
  }

  Map<BlobKey, ByteString> contents() {
    return Map.copyOf(blobs);
  }

  /** Puts bytes directly (a blob no event references, for the sweeper). */
  BlobKey putDirect(byte[] bytes) {
    BlobKey key = new BlobKey(UUID.randomUUID().toString());
    blobs.put(key, ByteString.fromArray(bytes));
    return key;
  }

  void corrupt(BlobKey key) {
    ByteString b = blobs.get(key);
    byte[] bytes = b.toArray();
    bytes[bytes.length / 2] ^= 0x01;
    blobs.put(key, ByteString.fromArray(bytes));
  }

  void remove(BlobKey key) {
    blobs.remove(key);
  }
}
