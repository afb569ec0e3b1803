// SPDX-License-Identifier: Apache-2.0
/**
 * Internal API, may change without notice: a minimal JSON writer and strict parser (RFC 8259),
 * and the data set to/from DICOM JSON Model conversion behind
 * {@link org.annal.dicom.json.DicomJson}.
 */
package org.annal.dicom.json.impl;
