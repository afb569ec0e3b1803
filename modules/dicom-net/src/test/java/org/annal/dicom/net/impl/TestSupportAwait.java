// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.annal.dicom.net.TestSupport;

/** TestSupport.await with a default deadline, for the tests of this package. */
final class TestSupportAwait {
  private TestSupportAwait() {}

  static void until(BooleanSupplier condition) {
    TestSupport.await("condition", Duration.ofSeconds(5), condition);
  }
}
