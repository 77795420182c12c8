package io.mohge.merge;

import io.mohge.config.BadInputException;
import io.mohge.data.Corpus;
import io.mohge.data.DataConfig;
import io.mohge.data.Split;
import io.mohge.data.TextTokenizer;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the calibration tasks of {@code --calibration} into {@link TaskData}: documents are tokenised with the
 * export's tokenizer and dealt to the three parts of their task, until every part holds the windows the
 * {@link Budget} asks for.
 *
 * <p>Which part a document goes to (deterministic, no seed):
 * <ul>
 *   <li>a user file: document i of the file (0-based) is validation when i mod 5 = 4, held-out when i mod 5 = 3,
 *       calibration otherwise;</li>
 *   <li>built-in Europarl: the documents the default data config holds out for validation
 *       ({@link Split#of} with val_fraction {@value #EUROPARL_VAL_FRACTION}, so the main job never trained on them)
 *       are validation; the task's other documents, counted in corpus order, are held-out when their count mod 4 = 3
 *       and calibration otherwise.</li>
 * </ul>
 */
public final class CalibrationReader {

    private static final Logger LOG = LoggerFactory.getLogger(CalibrationReader.class);
    static final double EUROPARL_VAL_FRACTION = 0.05;

    static {
        if (DataConfig.DEFAULTS.valFraction() != EUROPARL_VAL_FRACTION) {
            throw new IllegalStateException("CalibrationReader assumes the default val_fraction " + EUROPARL_VAL_FRACTION);
        }
    }

    /**
     * How much text every task needs: windows of {@code seqLen + 1} tokens per part, in whole batches of
     * {@code batch} windows.
     */
    public record Budget(int seqLen, int batch, int calibrationWindows, int heldOutWindows, int validationWindows) {
        public Budget {
            if (seqLen < 1) throw new IllegalArgumentException("seq_len: must be positive, got " + seqLen);
            if (batch < 1) throw new BadInputException("--batch: must be 1 or more, got " + batch);
            check("--calibration-windows", calibrationWindows, batch);
            check("--held-out-windows", heldOutWindows, batch);
            check("--validation-windows", validationWindows, batch);
        }

        private static void check(String option, int windows, int batch) {
            if (windows < batch) {
                throw new BadInputException(option + ": " + windows + " is fewer than one batch of " + batch
                        + " windows; give at least " + batch);
            }
        }

        int windows(TaskData.Part part) {
            return switch (part) {
                case CALIBRATION -> calibrationWindows;
                case HELD_OUT -> heldOutWindows;
                case VALIDATION -> validationWindows;
            };
        }
    }

    private CalibrationReader() { }

    /** The tasks of every spec, in the order given (Europarl languages in order of first appearance). */
    public static List<TaskData> read(List<CalibrationSpec> specs, TextTokenizer tok, Budget budget) throws IOException {
        if (specs.isEmpty()) {
            throw new BadInputException("--calibration: give at least one task (NAME=FILE, FILE or "
                    + Corpus.BUILTIN_EUROPARL + ")");
        }
        Map<String, TaskData> tasks = new LinkedHashMap<>();
        for (CalibrationSpec spec : specs) {
            List<TaskData> read = spec instanceof CalibrationSpec.FileTask f ? List.of(readFile(f, tok, budget))
                    : readEuroparl((CalibrationSpec.Europarl) spec, tok, budget, new LanguageLabeler());
            for (TaskData t : read) {
                if (tasks.put(t.name(), t) != null) {
                    throw new BadInputException("--calibration: task " + t.name() + " is given twice; give every "
                            + "task its own name (NAME=FILE)");
                }
            }
        }
        return List.copyOf(tasks.values());
    }

    static TaskData readFile(CalibrationSpec.FileTask spec, TextTokenizer tok, Budget budget) throws IOException {
        if (!java.nio.file.Files.isRegularFile(spec.file())) {
            throw new BadInputException("--calibration: " + spec.file() + " (task " + spec.name() + ") is not a "
                    + "readable file; give a UTF-8 text file with one document per line");
        }
        Collector c = new Collector(spec.name(), budget);
        Corpus corpus = new Corpus(spec.file().toString(), 0, new Configuration());
        int[] index = {0};
        try {
            corpus.forEach(doc -> {
                int i = index[0]++;
                TaskData.Part part = i % 5 == 4 ? TaskData.Part.VALIDATION
                        : i % 5 == 3 ? TaskData.Part.HELD_OUT : TaskData.Part.CALIBRATION;
                c.add(part, tok, doc);
                if (c.full()) throw new Enough();
            });
        } catch (Enough done) {
            // every part is full
        }
        String shortage = c.shortage();
        if (shortage != null) {
            throw new BadInputException("--calibration: " + spec.file() + " (task " + spec.name() + ") is too short: "
                    + shortage + "; give a file with more documents (one per line), or lower the window options");
        }
        return c.build();
    }

    static List<TaskData> readEuroparl(CalibrationSpec.Europarl spec, TextTokenizer tok, Budget budget,
                                       LanguageLabeler labeler) throws IOException {
        Map<String, Collector> byLanguage = new LinkedHashMap<>();
        for (String l : spec.languages()) byLanguage.put(l, new Collector(l, budget));
        boolean open = spec.languages().isEmpty();
        Map<String, Integer> trainCount = new LinkedHashMap<>();
        long[] index = {0};
        long[] unknown = {0};
        Corpus corpus = new Corpus(Corpus.BUILTIN_EUROPARL, 0, new Configuration());
        try {
            corpus.forEach(doc -> {
                long k = index[0]++;
                String lang = labeler.label(doc);
                if (LanguageLabeler.UNKNOWN.equals(lang)) {
                    unknown[0]++;
                    return;
                }
                Collector c = byLanguage.get(lang);
                if (c == null) {
                    if (!open) return;
                    c = new Collector(lang, budget);
                    byLanguage.put(lang, c);
                }
                TaskData.Part part;
                if (Split.of(k, EUROPARL_VAL_FRACTION) == Split.VAL) {
                    part = TaskData.Part.VALIDATION;
                } else {
                    int i = trainCount.merge(lang, 1, Integer::sum) - 1;
                    part = i % 4 == 3 ? TaskData.Part.HELD_OUT : TaskData.Part.CALIBRATION;
                }
                c.add(part, tok, doc);
                if (!open && byLanguage.values().stream().allMatch(Collector::full)) throw new Enough();
            });
        } catch (Enough done) {
            // every requested language is full
        }
        LOG.info("europarl: {} documents labelled ({} unknown)", index[0], unknown[0]);
        List<TaskData> out = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (Collector c : byLanguage.values()) {
            String shortage = c.shortage();
            if (shortage == null) {
                out.add(c.build());
            } else if (!open) {
                throw new BadInputException("--languages: Europarl has too little text labelled '" + c.name + "': "
                        + shortage + "; choose other languages or lower the window options");
            } else {
                dropped.add(c.name);
            }
        }
        if (!dropped.isEmpty()) LOG.info("europarl: languages with too little text for a task: {}", dropped);
        if (out.isEmpty()) {
            throw new BadInputException("--calibration: no Europarl language has enough text for the window "
                    + "options; lower --calibration-windows, --held-out-windows or --validation-windows");
        }
        return out;
    }

    /** Stops a corpus pass early. */
    private static final class Enough extends RuntimeException {
        Enough() {
            super(null, null, false, false);
        }
    }

    /** The growing token streams of one task. */
    private static final class Collector {
        final String name;
        final Budget budget;
        final int[][] streams = new int[3][1024];
        final int[] sizes = new int[3];
        int documents;

        Collector(String name, Budget budget) {
            this.name = name;
            this.budget = budget;
        }

        void add(TaskData.Part part, TextTokenizer tok, String doc) {
            int p = part.ordinal();
            if (sizes[p] >= need(part)) return;
            int[] ids = tok.encode(doc);
            ensure(p, sizes[p] + ids.length + 1);
            System.arraycopy(ids, 0, streams[p], sizes[p], ids.length);
            sizes[p] += ids.length;
            streams[p][sizes[p]++] = TextTokenizer.END_OF_DOCUMENT;
            documents++;
        }

        long need(TaskData.Part part) {
            return TaskData.tokensFor(budget.windows(part), budget.seqLen());
        }

        boolean full() {
            for (TaskData.Part part : TaskData.Part.values()) if (sizes[part.ordinal()] < need(part)) return false;
            return true;
        }

        /** What is missing for at least one batch in every part, or null. */
        String shortage() {
            for (TaskData.Part part : TaskData.Part.values()) {
                long minimum = TaskData.tokensFor(budget.batch(), budget.seqLen());
                if (sizes[part.ordinal()] < minimum) {
                    return part.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " part has "
                            + sizes[part.ordinal()] + " tokens, fewer than one batch of " + budget.batch() + " windows ("
                            + minimum + " tokens)";
                }
            }
            return null;
        }

        private void ensure(int p, int size) {
            if (streams[p].length < size) streams[p] = Arrays.copyOf(streams[p], Math.max(size, 2 * streams[p].length));
        }

        TaskData build() {
            return new TaskData(name, Arrays.copyOf(streams[0], sizes[0]), Arrays.copyOf(streams[1], sizes[1]),
                    Arrays.copyOf(streams[2], sizes[2]), documents);
        }
    }
}
