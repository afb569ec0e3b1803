// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.annal.app.impl.Progress;
import org.annal.app.impl.ToolSystem;
import org.annal.dicom.Dataset;
import org.annal.dicom.StorageSopClasses;
import org.annal.dicom.TransferSyntax;
import org.annal.dicom.Uid;
import org.annal.dicom.net.GetScu;
import org.annal.dicom.net.ProposedContext;
import org.annal.dicom.net.RetrieveProgress;
import org.apache.pekko.actor.typed.DispatcherSelector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code annal get}: C-GET (Query/Retrieve Service Class, PS3.4 C.4.3; PS3.7 §9.1.3). The
 * instances come back as C-STORE sub-operations on the same association, for which we propose
 * the SCP role (PS3.7 D.3.3.4) and presentation contexts: the storage SOP classes of
 * {@code --sop-class} (default: a list of common ones), each in Explicit/Implicit VR Little Endian
 * and, with {@code --ts}, once more per further transfer syntax. The SCP accepts one transfer
 * syntax per context, so an instance stored compressed arrives only if its syntax was proposed
 * (or the SCP can convert it). At most 128 contexts fit an association (PS3.8 §9.3.2.2).
 * Files go to {@code --out} ({@link GetFiles}).
 */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = {"Retrieve instances with C-GET into a directory (PS3.10 files).",
        "Exit 0 if every sub-operation completed (warnings allowed), 1 otherwise."})
public final class GetCommand implements Callable<Integer> {
  /** PS3.8 §9.3.2.2: 128 contexts, two of them for C-GET and C-FIND. */
  static final int MAX_STORAGE_CONTEXTS = 126;

  /** Proposed when no --sop-class is given, most common first (kept first when trimming). */
  static final List<String> DEFAULT_SOP_CLASSES = List.of(
      "CTImageStorage", "MRImageStorage", "ComputedRadiographyImageStorage",
      "DigitalXRayImageStorageForPresentation", "DigitalMammographyXRayImageStorageForPresentation",
      "UltrasoundImageStorage", "UltrasoundMultiframeImageStorage", "SecondaryCaptureImageStorage",
      "XRayAngiographicImageStorage", "XRayRadiofluoroscopicImageStorage",
      "NuclearMedicineImageStorage", "PositronEmissionTomographyImageStorage",
      "EnhancedCTImageStorage", "EnhancedMRImageStorage",
      "GrayscaleSoftcopyPresentationStateStorage", "KeyObjectSelectionDocumentStorage",
      "BasicTextSRStorage", "EnhancedSRStorage", "ComprehensiveSRStorage",
      "XRayRadiationDoseSRStorage", "EncapsulatedPDFStorage", "RTImageStorage", "RTDoseStorage",
      "RTStructureSetStorage", "RTPlanStorage", "RTIonPlanStorage",
      "DigitalXRayImageStorageForProcessing", "DigitalMammographyXRayImageStorageForProcessing",
      "DigitalIntraOralXRayImageStorageForPresentation", "BreastTomosynthesisImageStorage",
      "MultiframeSingleBitSecondaryCaptureImageStorage",
      "MultiframeGrayscaleByteSecondaryCaptureImageStorage",
      "MultiframeGrayscaleWordSecondaryCaptureImageStorage",
      "MultiframeTrueColorSecondaryCaptureImageStorage", "VLPhotographicImageStorage",
      "VLEndoscopicImageStorage", "OphthalmicPhotography8BitImageStorage",
      "OphthalmicTomographyImageStorage", "TwelveLeadECGWaveformStorage",
      "GeneralECGWaveformStorage", "SegmentationStorage", "SpatialRegistrationStorage",
      "RawDataStorage", "LegacyConvertedEnhancedCTImageStorage",
      "LegacyConvertedEnhancedMRImageStorage", "XRay3DAngiographicImageStorage",
      "ColorSoftcopyPresentationStateStorage", "MammographyCADSRStorage");

  @Spec CommandSpec spec;
  @Mixin DicomPeerOptions peer;
  @Mixin QueryModelOptions query;

  @Option(names = "--out", paramLabel = "DIR", required = true,
      description = "Directory for the files (created if missing); named <SOPInstanceUID>.dcm.")
  Path out;

  @Option(names = "--sop-class", paramLabel = "UID|KEYWORD",
      description = "Storage SOP class to accept (e.g. CTImageStorage); repeatable. "
          + "Default: about fifty common ones (CT, MR, CR, DX, MG, US, SC, XA, NM, PT, SR, RT...).")
  List<String> sopClasses = new ArrayList<>();

  @Option(names = "--ts", paramLabel = "UID",
      description = "Also accept this transfer syntax (e.g. 1.2.840.10008.1.2.4.50, JPEG "
          + "Baseline), one more context per SOP class; repeatable. Default: uncompressed only.")
  List<String> transferSyntaxes = new ArrayList<>();

  @Option(names = "--json", description = "Print the summary as a JSON object.")
  boolean json;

  /** The storage contexts to propose, and a note if the default list had to be trimmed. */
  record Contexts(List<ProposedContext> contexts, List<String> sopClasses, String note) {}

  @Override
  public Integer call() throws Exception {
    peer.validate(spec.commandLine());
    query.validate(spec.commandLine());
    RetrieveAssociation.requireKeys(spec.commandLine(), query);
    Contexts storage;
    try {
      storage = storageContexts(sopClasses, transferSyntaxes);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + " is not a directory");
    }
    Path directory = Files.createDirectories(out).toAbsolutePath().normalize();
    if (storage.note() != null) {
      err.println(storage.note());
      err.flush();
    }
    Dataset identifier = QueryModelOptions.identifier(query.level, query.keys);
    String sopClass = query.sopClass(QueryModelOptions.Service.GET);
    RetrieveBar bar = new RetrieveBar(err, Progress.stderrIsTerminal(), System::nanoTime);
    RetrieveAssociation.Outcome outcome;
    GetFiles files;
    try (ToolSystem tool = new ToolSystem("annal-get")) {
      files = new GetFiles(directory,
          tool.system().dispatchers().lookup(DispatcherSelector.blocking()), bar::note);
      outcome = RetrieveAssociation.run(tool, "C-GET", peer, query, sopClass, storage.contexts(),
          storage.sopClasses(), bar, err, (association, onPending) -> {
            if (storage.sopClasses().stream()
                .allMatch(c -> association.acceptedTransferSyntaxes(c).isEmpty())) {
              err.println("note: " + peer.target() + " accepted none of the "
                  + storage.sopClasses().size()
                  + " storage SOP classes proposed: nothing can arrive");
              err.flush();
            }
            return GetScu.get(association, sopClass, identifier, files, onPending);
          });
    }
    RetrieveProgress last = outcome.last();
    RetrieveSummary summary = new RetrieveSummary("C-GET", null, last, outcome.seconds(),
        directory, files.written(), files.bytes(), files.failed());
    if (!json && RetrieveBar.orZero(last.failed()) > files.failed()
        && transferSyntaxes.isEmpty()) {
      err.println("hint: instances stored compressed arrive only if their transfer syntax is "
          + "proposed: add --ts <UID> (e.g. --ts 1.2.840.10008.1.2.4.50 for JPEG Baseline)");
      err.flush();
    }
    return summary.report(json, stdout, err);
  }

  /**
   * One context per SOP class in Explicit/Implicit VR Little Endian, and one per SOP class and
   * extra transfer syntax. Named classes that do not fit fail; the default list is cut to fit.
   *
   * @throws IllegalArgumentException for an unknown SOP class or transfer syntax, or too many
   */
  static Contexts storageContexts(List<String> named, List<String> extraSyntaxes) {
    Set<String> syntaxes = new LinkedHashSet<>();
    for (String ts : extraSyntaxes) {
      TransferSyntax syntax = TransferSyntax.of(ts);
      if (syntax == null) {
        throw new IllegalArgumentException("--ts " + ts + " is not a standard transfer syntax UID");
      }
      if (!syntax.uid().equals(Uid.EXPLICIT_VR_LITTLE_ENDIAN)
          && !syntax.uid().equals(Uid.IMPLICIT_VR_LITTLE_ENDIAN)) {
        syntaxes.add(syntax.uid());
      }
    }
    int perClass = 1 + syntaxes.size();
    Set<String> classes = new LinkedHashSet<>();
    for (String c : named.isEmpty() ? DEFAULT_SOP_CLASSES : named) {
      String uid = storageSopClass(c);
      if (uid == null) {
        throw new IllegalArgumentException("--sop-class " + c
            + " is not a Storage SOP Class UID or keyword");
      }
      classes.add(uid);
    }
    String note = null;
    int fit = MAX_STORAGE_CONTEXTS / perClass;
    if (classes.size() > fit) {
      if (!named.isEmpty()) {
        throw new IllegalArgumentException(classes.size() + " SOP classes x " + perClass
            + " transfer syntax contexts need " + classes.size() * perClass
            + " presentation contexts; at most " + MAX_STORAGE_CONTEXTS + " fit");
      }
      note = "note: proposing the first " + fit + " of the " + classes.size()
          + " default storage SOP classes (" + perClass
          + " contexts each, 128 per association); choose them with --sop-class";
      classes = new LinkedHashSet<>(new ArrayList<>(classes).subList(0, fit));
    }
    List<ProposedContext> contexts = new ArrayList<>();
    for (String uid : classes) {
      contexts.add(ProposedContext.of(uid, Uid.EXPLICIT_VR_LITTLE_ENDIAN,
          Uid.IMPLICIT_VR_LITTLE_ENDIAN));
      for (String ts : syntaxes) {
        contexts.add(ProposedContext.of(uid, ts));
      }
    }
    return new Contexts(contexts, List.copyOf(classes), note);
  }

  /** A Storage SOP Class UID, or the UID of a (current, else retired) one by keyword; or null. */
  static String storageSopClass(String uidOrKeyword) {
    String s = uidOrKeyword.strip();
    if (StorageSopClasses.isStorage(s)) {
      return s;
    }
    String retired = null;
    for (StorageSopClasses.SopClass c : StorageSopClasses.ALL.values()) {
      if (c.keyword().equals(s)) {
        if (!c.retired()) {
          return c.uid();
        }
        retired = retired == null ? c.uid() : retired;
      }
    }
    return retired;
  }
}
