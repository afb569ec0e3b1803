// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import picocli.CommandLine.Option;

/** Where a DICOM tool connects to, and with which AE titles (PS3.8 §7.1.1.3-4). */
public final class DicomPeerOptions {
  @Option(names = "--host", defaultValue = "localhost", description = "Peer host (default: ${DEFAULT-VALUE}).")
  public String host;

  @Option(names = "--port", defaultValue = "11112", description = "Peer DICOM port (default: ${DEFAULT-VALUE}).")
  public int port;

  @Option(names = "--aec", defaultValue = "ANNAL", description = "Called AE title (default: ${DEFAULT-VALUE}).")
  public String calledAeTitle;

  @Option(names = "--aet", defaultValue = "ANNALSCU", description = "Calling AE title (default: ${DEFAULT-VALUE}).")
  public String callingAeTitle;

  /** The peer as messages name it: {@code AET@host:port}. */
  String target() {
    return calledAeTitle + "@" + host + ":" + port;
  }

  /** AE titles are 1-16 characters of the default repertoire without backslash (PS3.5 §6.2, AE). */
  void validate(picocli.CommandLine commandLine) {
    for (String[] ae : new String[][] {{"--aec", calledAeTitle}, {"--aet", callingAeTitle}}) {
      String v = ae[1].strip();
      if (v.isEmpty() || v.length() > 16 || v.contains("\\") || !v.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
        throw new picocli.CommandLine.ParameterException(commandLine,
            "Invalid value for option '" + ae[0] + "': '" + ae[1] + "' is not an AE title (1-16 characters, no backslash)");
      }
    }
    if (port < 1 || port > 65535) {
      throw new picocli.CommandLine.ParameterException(commandLine,
          "Invalid value for option '--port': " + port + " is not in 1-65535");
    }
  }
}
