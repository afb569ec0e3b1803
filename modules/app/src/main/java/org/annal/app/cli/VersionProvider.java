// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import org.annal.app.Main;
import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest (Implementation-Version), "dev" when run from classes. */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {
        "annal " + (version == null ? "dev" : version),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
  }
}
