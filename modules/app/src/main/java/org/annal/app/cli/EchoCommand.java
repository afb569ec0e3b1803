// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.annal.app.impl.ToolSystem;
import org.annal.dicom.Uid;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.ProposedContext;
import org.annal.dicom.net.ScuAssociation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code annal echo}: C-ECHO (Verification Service Class, PS3.4 Annex A; PS3.7 §9.1.5). */
@Command(name = "echo", mixinStandardHelpOptions = true,
    description = "Send a C-ECHO and print the round-trip time; exit 0 on Success, 1 otherwise.")
public final class EchoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DicomPeerOptions peer;

  @Override
  public Integer call() throws Exception {
    peer.validate(spec.commandLine());
    PrintWriter out = spec.commandLine().getOut();
    String target = peer.calledAeTitle + "@" + peer.host + ":" + peer.port;
    try (ToolSystem tool = new ToolSystem("annal-echo")) {
      long start = System.nanoTime();
      ScuAssociation association = ScuAssociation.open(tool.system(), tool.scuSettings(),
          peer.host, peer.port, peer.callingAeTitle, peer.calledAeTitle,
          List.of(ProposedContext.of(Uid.VERIFICATION, Uid.IMPLICIT_VR_LITTLE_ENDIAN,
              Uid.EXPLICIT_VR_LITTLE_ENDIAN)))
          .toCompletableFuture().get();
      long associated = System.nanoTime();
      DimseStatus status;
      try {
        status = association.cEcho().toCompletableFuture().get();
      } catch (java.util.concurrent.ExecutionException e) {
        association.abort();
        throw e;
      }
      long echoed = System.nanoTime();
      association.release().toCompletableFuture().get();
      out.println(String.format(Locale.ROOT,
          "C-ECHO %s: %s (%04X), round trip %.1f ms (association %.1f ms)", target,
          status.isSuccess() ? "Success" : "Failed", status.code(), (echoed - associated) / 1e6,
          (associated - start) / 1e6));
      out.flush();
      return status.isSuccess() ? 0 : 1;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("C-ECHO " + target + " failed: "
          + RunCommand.oneLine(e), e);
    }
  }
}
