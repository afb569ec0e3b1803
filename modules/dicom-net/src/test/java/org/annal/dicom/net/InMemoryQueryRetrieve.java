// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.annal.dicom.Dataset;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Source;

/** Query/Retrieve handlers over fixed in-memory answers, recording what they were asked. */
final class InMemoryQueryRetrieve implements CFindHandler, RetrieveHandler {
  record FindCall(CFindRq request, Dataset identifier) {}

  final ConcurrentLinkedQueue<FindCall> finds = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<RetrieveRq> retrieves = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<RetrieveReport> reports = new ConcurrentLinkedQueue<>();
  volatile Function<Dataset, Source<Dataset, NotUsed>> answers = id -> Source.empty();
  volatile List<RetrieveItem> items = List.of();

  @Override
  public Source<Dataset, NotUsed> onCFind(AssociationInfo association, CFindRq request,
      Dataset identifier) {
    finds.add(new FindCall(request, identifier));
    return answers.apply(identifier);
  }

  @Override
  public CompletionStage<List<RetrieveItem>> onRetrieve(AssociationInfo association,
      RetrieveRq request, Dataset identifier) {
    retrieves.add(request);
    return CompletableFuture.completedFuture(new ArrayList<>(items));
  }

  @Override
  public void onRetrieveCompleted(AssociationInfo association, RetrieveReport report) {
    reports.add(report);
  }

  /** An item whose data set is read from the file after its meta information. */
  static RetrieveItem fileItem(Path file) throws java.io.IOException {
    StoreScu.Instance instance = StoreScu.inspect(file);
    return new RetrieveItem(instance.sopClassUid(), instance.sopInstanceUid(),
        instance.transferSyntaxUid(),
        () -> FileIO.fromPath(file, 8192, instance.dataSetOffset()));
  }
}
