// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code annal audit}: the tools an auditor runs on the journal (docs/audit-guide.md). Only a
 * parent: each tool is a subcommand.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = {"Audit the journal: tamper evidence of the studies' event hash chains",
        "(verify), and the trail as DICOM PS3.15 A.5 audit messages (export)."},
    subcommands = {AuditVerifyCommand.class, AuditExportCommand.class,
        CommandLine.HelpCommand.class})
public final class AuditCommand implements Runnable {
  @Spec CommandSpec spec;

  /** {@code annal audit} alone prints its usage and fails (exit 2). */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
  }
}
