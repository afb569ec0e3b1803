// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.annal.app.Main;

/** Exit code, stdout and stderr of one {@code annal} command line, run in this JVM. */
record AnnalRun(int exitCode, String out, String err) {

  /** Runs {@code args} through {@link Main#execute}, capturing what it prints. */
  static AnnalRun annal(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new AnnalRun(code, out.toString(), err.toString());
  }
}
