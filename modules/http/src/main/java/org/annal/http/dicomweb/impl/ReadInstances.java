// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb.impl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.annal.dicom.DicomFile;
import org.annal.dicom.Part10;
import org.annal.http.dicomweb.DicomWebArchive;
import org.annal.http.dicomweb.WadoAccess;
import org.annal.http.dicomweb.WadoRequest;
import org.annal.query.IndexedInstance;
import org.apache.pekko.util.ByteString;

/**
 * Internal API. Reading instances for one DICOMweb retrieval, and the access record it leaves:
 * every instance read is counted as completed once its part has gone to the HTTP layer, the rest
 * as failed when the response ends ({@link #finish}).
 */
public final class ReadInstances {
  private final DicomWebArchive archive;
  private final Executor blocking;
  private final String how;
  private final WadoRequest request;
  private final List<IndexedInstance> instances;
  private final ConcurrentLinkedQueue<String> sent = new ConcurrentLinkedQueue<>();

  public ReadInstances(DicomWebArchive archive, Executor blocking, String how, WadoRequest request,
      List<IndexedInstance> instances) {
    this.archive = archive;
    this.blocking = blocking;
    this.how = how;
    this.request = request;
    this.instances = List.copyOf(instances);
  }

  public List<IndexedInstance> instances() {
    return instances;
  }

  /** The stored PS3.10 file. */
  public CompletionStage<ByteString> bytes(IndexedInstance instance) {
    return archive.read(instance);
  }

  /** The stored file parsed whole (pixel data included), on the blocking executor. */
  public CompletionStage<DicomFile> parsed(IndexedInstance instance) {
    return archive.read(instance).thenApplyAsync(bytes -> parse(bytes), blocking);
  }

  public static DicomFile parse(ByteString bytes) {
    try {
      return Part10.read(new ByteArrayInputStream(bytes.toArray()), bytes.size());
    } catch (IOException e) {
      throw new UncheckedIOException("stored instance cannot be parsed: " + e.getMessage(), e);
    }
  }

  /** Marks an instance as delivered (its part went out). */
  public void sent(IndexedInstance instance) {
    sent.add(instance.sopInstanceUid());
  }

  /** Records the access (once, when the response is over) with the HTTP status sent. */
  public void finish(int httpStatus) {
    Set<String> done = new TreeSet<>(sent);
    Set<String> failed = new TreeSet<>();
    Set<String> series = new TreeSet<>();
    for (IndexedInstance i : instances) {
      series.add(i.seriesInstanceUid());
      if (!done.contains(i.sopInstanceUid())) {
        failed.add(i.sopInstanceUid());
      }
    }
    if (instances.isEmpty()) {
      return;
    }
    archive.accessed(new WadoAccess(how, request.resource(), request.clientAddress(),
        request.userAgent(), instances.get(0).studyInstanceUid(), List.copyOf(series),
        List.copyOf(done), List.copyOf(failed), httpStatus, request.receivedAt()));
  }

  /** Runs {@code task} on the blocking executor. */
  public <T> CompletableFuture<T> async(java.util.function.Supplier<T> task) {
    return CompletableFuture.supplyAsync(task, blocking);
  }
}
