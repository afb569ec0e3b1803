// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.annal.dicom.Dataset;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.annal.dicom.net.QueryRetrieveSopClasses;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * The information model, level and keys of a Query/Retrieve request (PS3.4 C.6.1 Patient Root,
 * C.6.2 Study Root), shared by {@code annal find}, {@code move} and {@code get}.
 */
public final class QueryModelOptions {

  /** Query/Retrieve Level (0008,0052), PS3.4 C.6.1.1.1 / C.6.2.1.1. */
  enum Level {
    PATIENT, STUDY, SERIES, IMAGE
  }

  /** Which service the SOP class is wanted for. */
  enum Service {
    FIND, MOVE, GET
  }

  @Option(names = "--patient-root", description = "Patient Root information model.")
  boolean patientRoot;

  @Option(names = "--study-root", description = "Study Root information model (the default).")
  boolean studyRoot;

  @Option(names = "--level", paramLabel = "LEVEL", defaultValue = "STUDY",
      converter = LevelConverter.class,
      description = "PATIENT, STUDY, SERIES or IMAGE (default: ${DEFAULT-VALUE}).")
  Level level;

  @Option(names = {"-k", "--key"}, paramLabel = "KEY=VALUE",
      converter = QueryKey.MatchingConverter.class,
      description = "Matching key: PS3.6 keyword or tag, and value (wildcards * ? where PS3.4 "
          + "allows, ranges as 20240101-20240131); repeatable.")
  List<QueryKey> keys = new ArrayList<>();

  /** Checks the combination of flags; throws a usage error (exit 2). */
  void validate(CommandLine commandLine) {
    if (patientRoot && studyRoot) {
      throw new ParameterException(commandLine,
          "--patient-root and --study-root are mutually exclusive");
    }
    if (!patientRoot && level == Level.PATIENT) {
      throw new ParameterException(commandLine,
          "--level PATIENT needs --patient-root (the Study Root model has no patient level)");
    }
    for (QueryKey key : keys) {
      if (key.tag() == Tag.QueryRetrieveLevel) {
        throw new ParameterException(commandLine, "set the Query/Retrieve Level with --level");
      }
    }
  }

  /** The Query/Retrieve SOP class of the chosen information model for {@code service}. */
  String sopClass(Service service) {
    return switch (service) {
      case FIND -> patientRoot ? QueryRetrieveSopClasses.PATIENT_ROOT_FIND
          : QueryRetrieveSopClasses.STUDY_ROOT_FIND;
      case MOVE -> patientRoot ? QueryRetrieveSopClasses.PATIENT_ROOT_MOVE
          : QueryRetrieveSopClasses.STUDY_ROOT_MOVE;
      case GET -> patientRoot ? QueryRetrieveSopClasses.PATIENT_ROOT_GET
          : QueryRetrieveSopClasses.STUDY_ROOT_GET;
    };
  }

  /** The return keys {@code annal find} asks for when none are named, per level. */
  static List<String> defaultReturnKeys(Level level) {
    return switch (level) {
      case PATIENT -> List.of("PatientName", "PatientID", "PatientBirthDate", "PatientSex",
          "NumberOfPatientRelatedStudies");
      case STUDY -> List.of("PatientName", "PatientID", "StudyDate", "StudyDescription",
          "AccessionNumber", "ModalitiesInStudy", "NumberOfStudyRelatedInstances",
          "StudyInstanceUID");
      case SERIES -> List.of("Modality", "SeriesNumber", "SeriesDescription",
          "NumberOfSeriesRelatedInstances", "SeriesInstanceUID");
      case IMAGE -> List.of("InstanceNumber", "SOPClassUID", "SOPInstanceUID");
    };
  }

  /**
   * The keys of an identifier in column order: {@code defaults} first, then the {@code -k} keys
   * and {@code returnKeys} in the order given. A key named twice keeps its first position and its
   * non-empty value (a matching key wins over a return key of the same attribute).
   */
  static List<QueryKey> merge(List<String> defaults, List<QueryKey> keys,
      List<QueryKey> returnKeys) {
    Map<Integer, QueryKey> merged = new LinkedHashMap<>();
    for (String keyword : defaults) {
      QueryKey key = QueryKey.of(keyword, "");
      merged.put(key.tag(), key);
    }
    List<QueryKey> given = new ArrayList<>(keys);
    given.addAll(returnKeys);
    for (QueryKey key : given) {
      QueryKey before = merged.get(key.tag());
      if (before == null || before.isReturnKey()) {
        merged.put(key.tag(), key);
      }
    }
    return List.copyOf(merged.values());
  }

  /**
   * The identifier: Specific Character Set (0008,0005) first if needed (a given one, else
   * ISO_IR 192 when a value is not ASCII, PS3.4 C.4.1.1.3.1), Query/Retrieve Level, then the keys.
   */
  static Dataset identifier(Level level, List<QueryKey> keys) {
    Dataset identifier = new Dataset();
    QueryKey charset = keys.stream().filter(k -> k.tag() == Tag.SpecificCharacterSet)
        .findFirst().orElse(null);
    if (charset != null) {
      identifier.putString(Tag.SpecificCharacterSet, Vr.CS, charset.value());
    } else if (keys.stream().anyMatch(k -> !isAscii(k.value()))) {
      identifier.putString(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
    }
    identifier.putString(Tag.QueryRetrieveLevel, Vr.CS, level.name());
    for (QueryKey key : keys) {
      if (key.tag() == Tag.SpecificCharacterSet) {
        continue;
      }
      put(identifier, key);
    }
    return identifier;
  }

  private static void put(Dataset identifier, QueryKey key) {
    Vr vr = key.vr();
    if (vr == Vr.SQ) {
      identifier.putSequence(key.tag(), List.of());
    } else if (vr.isText()) {
      identifier.putString(key.tag(), vr, key.value());
    } else {
      int[] values = key.value().isEmpty() ? new int[0]
          : java.util.Arrays.stream(key.value().split("\\\\", -1))
              .mapToInt(v -> (int) Long.parseLong(v.strip())).toArray();
      identifier.putInts(key.tag(), vr, values);
    }
  }

  private static boolean isAscii(String s) {
    return StandardCharsets.US_ASCII.newEncoder().canEncode(s);
  }

  /** The keys as columns: attributes other than (0008,0005) and (0008,0052). */
  static List<Integer> columns(List<QueryKey> keys) {
    return keys.stream().map(QueryKey::tag)
        .filter(t -> t != Tag.SpecificCharacterSet && t != Tag.QueryRetrieveLevel).toList();
  }

  /** A column's heading: the keyword, or the tag for a private one. */
  static String heading(int tag) {
    String keyword = ElementDictionary.keywordOf(tag);
    return keyword != null ? keyword : String.format("%08X", tag);
  }

  /** {@code --level study} as well as {@code STUDY}. */
  static final class LevelConverter implements ITypeConverter<Level> {
    @Override
    public Level convert(String value) {
      try {
        return Level.valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("expected PATIENT, STUDY, SERIES or IMAGE, got '"
            + value + "'");
      }
    }
  }
}
