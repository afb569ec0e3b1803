// SPDX-License-Identifier: Apache-2.0
/**
 * Pixel data for DICOMweb retrieval: {@link org.annal.dicom.image.Frames} cuts frames out of Pixel
 * Data (PS3.5 §8.2, §A.4) for WADO-RS frame retrieval (PS3.18 §10.4), and
 * {@link org.annal.dicom.image.Renderer} turns one frame into a JPEG or PNG image for the rendered
 * resources of WADO-RS and WADO-URI (PS3.18 §8.3.5). JDK only ({@code javax.imageio}).
 */
package org.annal.dicom.image;
