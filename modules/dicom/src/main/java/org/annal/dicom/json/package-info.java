// SPDX-License-Identifier: Apache-2.0
/**
 * The DICOM JSON Model (PS3.18 Annex F) for DICOMweb: {@link org.annal.dicom.json.DicomJson}
 * writes data sets as JSON objects and arrays and reads them back. No dependencies: the JSON
 * writer and the strict parser are in the internal {@code impl} package.
 */
package org.annal.dicom.json;
