// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.annal.app.impl.ToolSystem;
import org.annal.dicom.Dataset;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.FindScu;
import org.annal.dicom.net.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code annal find}: C-FIND (Query/Retrieve Service Class, PS3.4 C.4.1; PS3.7 §9.1.2). The
 * identifier is the level, the default return keys of that level, then {@code -k} and {@code -r}
 * keys; the matches are printed as a table (or JSON) once the final response has arrived.
 */
@Command(name = "find", mixinStandardHelpOptions = true,
    description = {"Query a Q/R SCP with C-FIND and print the matches as a table (or JSON).",
        "Exit 0 on Success, 1 on a failure status or a connection error."})
public final class FindCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DicomPeerOptions peer;
  @Mixin QueryModelOptions query;

  @Option(names = {"-r", "--return-key"}, paramLabel = "KEY",
      converter = QueryKey.ReturnConverter.class,
      description = "Return key (asked for with an empty value), besides the level's defaults; "
          + "repeatable.")
  List<QueryKey> returnKeys = new ArrayList<>();

  @Option(names = "--json", description = "Print a JSON array of objects (keyword -> value); "
      + "the status line then goes to stderr.")
  boolean json;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
      description = "Stop (C-CANCEL) after N matches; 0 = no limit (default).")
  int limit;

  @Override
  public Integer call() throws Exception {
    peer.validate(spec.commandLine());
    query.validate(spec.commandLine());
    if (limit < 0) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '--limit': " + limit + " is negative");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<QueryKey> keys = QueryModelOptions.merge(
        QueryModelOptions.defaultReturnKeys(query.level), query.keys, returnKeys);
    Dataset identifier = QueryModelOptions.identifier(query.level, keys);
    String target = peer.calledAeTitle + "@" + peer.host + ":" + peer.port;
    FindScu.Result result;
    try (ToolSystem tool = new ToolSystem("annal-find")) {
      result = FindScu.find(tool.system(), tool.scuSettings(), peer.host, peer.port,
          peer.callingAeTitle, peer.calledAeTitle,
          query.sopClass(QueryModelOptions.Service.FIND), identifier,
          limit == 0 ? Integer.MAX_VALUE : limit).toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("C-FIND " + target + " failed: " + RunCommand.oneLine(e), e);
    }
    List<Integer> columns = QueryModelOptions.columns(keys);
    if (json) {
      out.print(FindOutput.json(result.matches(), columns));
    } else {
      out.print(FindOutput.table(result.matches(), columns));
    }
    out.flush();
    DimseStatus status = result.status();
    boolean limited = limit > 0 && status.code() == Status.CANCEL
        && result.matches().size() >= limit;
    String summary = result.matches().size() + (result.matches().size() == 1 ? " match" : " matches")
        + (limited ? " (--limit " + limit + " reached, the rest cancelled)" : "")
        + ", status " + StatusText.of(status);
    PrintWriter summaryTo = json ? err : out;
    summaryTo.println(summary);
    summaryTo.flush();
    return status.isSuccess() || status.isWarning() || limited ? 0 : 1;
  }
}
