// SPDX-License-Identifier: Apache-2.0
/**
 * Synthetic DICOM data for tests and benchmarks: {@link org.annal.dicom.synth.SyntheticCt} writes
 * realistic, deterministic CT Image Storage files (PS3.10, PS3.3 §A.3).
 *
 * <p>Not used by the archive at run time. It depends on nothing but the JDK and
 * {@link org.annal.dicom.Uid}, and encodes with its own minimal writer rather than the module's
 * codec, so that the data used to test the codec is not produced by it, and so that load tests can
 * compile it on its own ({@code load-tests/README.md}).
 */
package org.annal.dicom.synth;
