// SPDX-License-Identifier: Apache-2.0
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.annal.archive.Placement;
import org.annal.archive.ReceivedInstance;
import org.annal.archive.Sender;
import org.annal.archive.Study;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.annal.query.InformationModel;
import org.annal.query.QueryIndex;
import org.annal.query.QueryOptions;
import org.annal.query.QueryRetrieveLevel;
import org.annal.query.QueryService;
import org.annal.query.QuerySettings;

/**
 * Query index benchmark (not a test): indexes N studies x M instances of generated metadata-only
 * InstanceStored events into a fresh Lucene index, then measures QueryService.find at STUDY level
 * (Study Root, 12 return keys incl. computed counts) for exact PatientID, wildcard PatientName and
 * date range + ModalitiesInStudy. In-process: no DIMSE, no network (add those for the C-FIND
 * figure). Run: see load-tests/query/README.md.
 */
public final class QueryBenchmark {
  static final String[] FAMILY = {"Smith", "Jones", "Müller", "Garcia", "Martin", "Bernard",
      "Rossi", "Nowak", "Kowalski", "Dubois", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
      "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Yamada", "Tanaka", "Suzuki", "Sato",
      "Ito", "Watanabe", "Nakamura", "Kobayashi", "Kato", "Yoshida"};
  static final String[] GIVEN = {"John", "Anna", "Peter", "Maria", "Jürgen", "Sofia", "Luca",
      "Emma", "Noah", "Mia", "Taro", "Hanako", "Ken", "Yui", "Olga", "Ivan"};
  static final String[] MODALITIES = {"CT", "MR", "US", "CR", "DX", "MG", "XA", "NM", "PT", "SR"};

  public static void main(String[] args) throws Exception {
    int studies = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int perStudy = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
    Path dir = Files.createTempDirectory("annal-query-bench");
    Random rnd = new Random(42);
    int patients = Math.max(1, studies / 5);
    try (QueryIndex index = QueryIndex.open(dir.resolve("index"))) {
      long t0 = System.nanoTime();
      List<Study.Event> batch = new ArrayList<>();
      List<Long> applyNanos = new ArrayList<>();
      long at = 1_700_000_000_000L;
      for (int s = 0; s < studies; s++) {
        int p = rnd.nextInt(patients);
        Map<String, String> a = new HashMap<>();
        a.put("PatientID", String.format("PID%06d", p));
        a.put("PatientName", FAMILY[p % FAMILY.length] + "^" + GIVEN[(p / FAMILY.length) % GIVEN.length]
            + "^" + (char) ('A' + p % 26));
        a.put("PatientBirthDate", String.format("19%02d%02d%02d", 30 + p % 70, 1 + p % 12, 1 + p % 28));
        a.put("PatientSex", p % 2 == 0 ? "F" : "M");
        a.put("StudyDate", String.format("20%02d%02d%02d", 15 + rnd.nextInt(10), 1 + rnd.nextInt(12), 1 + rnd.nextInt(28)));
        a.put("StudyTime", String.format("%02d%02d%02d", rnd.nextInt(24), rnd.nextInt(60), rnd.nextInt(60)));
        a.put("AccessionNumber", "ACC" + s);
        a.put("StudyDescription", "Study " + s);
        a.put("ReferringPhysicianName", FAMILY[rnd.nextInt(FAMILY.length)] + "^Dr");
        String study = "1.2.826.0.1.3680043.10.1." + s;
        int seriesCount = 1 + rnd.nextInt(4);
        for (int i = 0; i < perStudy; i++) {
          int se = i % seriesCount;
          Map<String, String> ia = new HashMap<>(a);
          ia.put("Modality", MODALITIES[(s + se) % MODALITIES.length]);
          ia.put("SeriesNumber", Integer.toString(se + 1));
          ia.put("InstanceNumber", Integer.toString(i + 1));
          ia.put("Rows", "512");
          ia.put("Columns", "512");
          String series = study + "." + (se + 1);
          String sop = series + "." + (i + 1);
          ReceivedInstance in = new ReceivedInstance(study, series, sop, "1.2.840.10008.5.1.4.1.1.2",
              "1.2.840.10008.1.2.1", 500_000, "x", "y", new Placement("n", "s", "online", "b" + sop),
              new Sender("A", "B", "h:1", "as", null), at, ia);
          batch.add(new Study.InstanceStored(in, "", "n", "s", at++));
          if (batch.size() == 500) {
            long a0 = System.nanoTime();
            index.apply(batch);
            applyNanos.add(System.nanoTime() - a0);
            batch.clear();
          }
        }
      }
      index.apply(batch);
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("indexed %d studies / %d instances in %.1f s (%.0f instances/s), index %s%n",
          studies, studies * perStudy, secs, studies * perStudy / secs, index.counts());
      long[] ap = applyNanos.stream().mapToLong(Long::longValue).sorted().toArray();
      System.out.printf("apply of a 500-event group (write + commit + refresh): p50 %.1f ms  p99 %.1f ms%n",
          ap[ap.length / 2] / 1e6, ap[(int) (ap.length * 0.99)] / 1e6);

      QuerySettings settings = new QuerySettings(dir, 1000, true, 500, java.time.Duration.ofMillis(100),
          "pekko.persistence.cassandra.query", java.time.Duration.ofMinutes(1));
      QueryService service = new QueryService(index, settings);
      QueryOptions options = settings.defaultOptions();
      Random q = new Random(7);
      bench("exact PatientID", iterations, service, options, () -> studyQuery(
          "PatientID", String.format("PID%06d", q.nextInt(patients))));
      bench("wildcard PatientName", iterations, service, options, () -> studyQuery(
          "PatientName", FAMILY[q.nextInt(FAMILY.length)].substring(0, 3) + "*^" + GIVEN[q.nextInt(GIVEN.length)] + "*"));
      bench("prefix PatientName", iterations, service, options, () -> studyQuery(
          "PatientName", prefix4(FAMILY[q.nextInt(FAMILY.length)]) + "*"));
      bench("date range + modality", iterations, service, options, () -> {
        int y = 15 + q.nextInt(10);
        int m = 1 + q.nextInt(12);
        return studyQuery("StudyDate", String.format("20%02d%02d01-20%02d%02d28", y, m, y, m),
            "ModalitiesInStudy", MODALITIES[q.nextInt(MODALITIES.length)]);
      });
    } finally {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static String prefix4(String family) {
    return family.substring(0, Math.min(4, family.length())).toUpperCase(java.util.Locale.ROOT);
  }

  static Dataset studyQuery(String... kv) {
    Dataset ds = new Dataset();
    ds.putString(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
    String[] keys = {"PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate",
        "StudyTime", "AccessionNumber", "StudyDescription", "StudyInstanceUID", "ModalitiesInStudy",
        "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances"};
    for (String k : keys) {
      int tag = ElementDictionary.tagOf(k);
      Vr vr = ElementDictionary.vrOf(tag);
      if (vr.isText()) {
        ds.putString(tag, vr, "");
      } else {
        ds.put(Element.ofBytes(tag, vr, new byte[0]));
      }
    }
    for (int i = 0; i < kv.length; i += 2) {
      int tag = ElementDictionary.tagOf(kv[i]);
      ds.putString(tag, ElementDictionary.vrOf(tag), kv[i + 1]);
    }
    return ds;
  }

  static void bench(String name, int n, QueryService service, QueryOptions options,
      Supplier<Dataset> queries) {
    for (int i = 0; i < n / 4; i++) {
      service.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT, queries.get(), 0, options);
    }
    long[] t = new long[n];
    long matches = 0;
    for (int i = 0; i < n; i++) {
      Dataset query = queries.get();
      long s = System.nanoTime();
      matches += service.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT, query, 0,
          options).matches().size();
      t[i] = System.nanoTime() - s;
    }
    Arrays.sort(t);
    System.out.printf("%-24s p50 %.2f ms  p99 %.2f ms  max %.2f ms  (avg %.1f matches)%n", name,
        t[n / 2] / 1e6, t[(int) (n * 0.99)] / 1e6, t[n - 1] / 1e6, (double) matches / n);
  }
}
