// SPDX-License-Identifier: Apache-2.0
/**
 * Internal API: decoders and pipeline stages behind {@link org.annal.dicom.image.Renderer}. May
 * change without notice; use {@code org.annal.dicom.image}.
 */
package org.annal.dicom.image.impl;
