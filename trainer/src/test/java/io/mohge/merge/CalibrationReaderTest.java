package io.mohge.merge;

import io.mohge.config.BadInputException;
import io.mohge.data.ByteTokenizer;
import io.mohge.data.Corpus;
import io.mohge.data.Split;
import io.mohge.data.TextTokenizer;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CalibrationReaderTest {

    @TempDir
    Path dir;

    private static final TextTokenizer BYTES = new ByteTokenizer();

    private static String text(int[] ids) {
        return BYTES.decode(ids);
    }

    @Test
    void aUserFileIsDealtToItsPartsByDocumentIndex() throws Exception {
        StringBuilder docs = new StringBuilder();
        for (int i = 0; i < 10; i++) docs.append("doc").append(i).append('\n');
        Path file = dir.resolve("legal.txt");
        Files.writeString(file, docs);
        // seq_len 4: windows of 5 tokens; "docN\n" is 5 bytes
        CalibrationReader.Budget budget = new CalibrationReader.Budget(4, 1, 1, 1, 2);
        CalibrationSpec spec = CalibrationSpec.parse(file.toString(), List.of(), Path::of);
        List<TaskData> tasks = CalibrationReader.read(List.of(spec), BYTES, budget);
        assertEquals(1, tasks.size());
        TaskData t = tasks.get(0);
        assertEquals("legal", t.name());
        assertEquals("doc0\n", text(t.calibration()), "document 0 is calibration; the part is then full");
        assertEquals("doc3\n", text(t.heldOut()), "i mod 5 = 3 is held-out");
        assertEquals("doc4\ndoc9\n", text(t.validation()), "i mod 5 = 4 is validation");
        int[][] w = t.windows(TaskData.Part.VALIDATION, 4, 10, 1);
        assertEquals(2, w.length);
        assertEquals("doc4\n", text(w[0]));
        assertEquals("\ndoc9", text(w[1]), "windows overlap by one token (inputs and shifted targets)");
    }

    @Test
    void aShortFileIsRefusedByName() throws Exception {
        Path file = dir.resolve("tiny.txt");
        Files.writeString(file, "one\ntwo\nthree\n");
        CalibrationSpec spec = CalibrationSpec.parse("tiny=" + file, List.of(), Path::of);
        BadInputException e = assertThrows(BadInputException.class,
                () -> CalibrationReader.read(List.of(spec), BYTES, new CalibrationReader.Budget(4, 1, 1, 1, 1)));
        assertTrue(e.getMessage().startsWith("--calibration: " + file + " (task tiny) is too short"), e.getMessage());
        BadInputException missing = assertThrows(BadInputException.class, () -> CalibrationReader.read(
                List.of(CalibrationSpec.parse("gone=" + dir.resolve("gone.txt"), List.of(), Path::of)), BYTES,
                new CalibrationReader.Budget(4, 1, 1, 1, 1)));
        assertTrue(missing.getMessage().startsWith("--calibration: " + dir.resolve("gone.txt")), missing.getMessage());
    }

    @Test
    void specsAreParsedAndBadNamesRefused() {
        CalibrationSpec s = CalibrationSpec.parse("docs/fin.news.txt.gz", List.of(), Path::of);
        assertEquals(new CalibrationSpec.FileTask("fin", Path.of("docs/fin.news.txt.gz")), s);
        assertEquals(new CalibrationSpec.Europarl(List.of("de")), CalibrationSpec.parse("builtin:europarl", List.of("de"), Path::of));
        assertThrows(BadInputException.class, () -> CalibrationSpec.parse("builtin:wiki", List.of(), Path::of));
        BadInputException e = assertThrows(BadInputException.class,
                () -> CalibrationSpec.parse("a b=x.txt", List.of(), Path::of));
        assertTrue(e.getMessage().startsWith("--calibration: task name 'a b'"), e.getMessage());
        assertThrows(BadInputException.class, () -> CalibrationSpec.parse("x=", List.of(), Path::of));
    }

    @Test
    void theLabellerNamesTheLanguage() {
        LanguageLabeler l = new LanguageLabeler();
        assertEquals("de", l.label("Der Ausschuss hat den Bericht über die Fischerei angenommen, und das Parlament "
                + "wird morgen darüber abstimmen."));
        assertEquals("fi", l.label("Valiokunta hyväksyi kalastusta koskevan mietinnön, ja parlamentti äänestää siitä "
                + "huomenna."));
        assertEquals("en", l.label("The committee adopted the report on fisheries, and Parliament will vote on it "
                + "tomorrow."));
    }

    /**
     * Europarl tasks: one per requested language, every document labelled by the detector; validation holds the
     * documents the default data config keeps for validation, so its first document is the first such document
     * labelled with the task's language.
     */
    @Test
    void europarlLanguagesBecomeTasksAndValidationIsTheCorpusValidationSplit() throws Exception {
        LanguageLabeler labeler = new LanguageLabeler();
        CalibrationReader.Budget budget = new CalibrationReader.Budget(16, 2, 2, 2, 2);
        List<TaskData> tasks = CalibrationReader.readEuroparl(new CalibrationSpec.Europarl(List.of("de", "fi")), BYTES,
                budget, labeler);
        assertEquals(List.of("de", "fi"), tasks.stream().map(TaskData::name).toList());
        Map<String, int[]> firstValidation = new TreeMap<>();
        Map<String, int[]> firstTrain = new TreeMap<>();
        long[] k = {0};
        try {
            new Corpus(Corpus.BUILTIN_EUROPARL, 0, new Configuration()).forEach(doc -> {
                boolean val = Split.of(k[0]++, CalibrationReader.EUROPARL_VAL_FRACTION) == Split.VAL;
                String lang = labeler.label(doc);
                if (!lang.equals("de") && !lang.equals("fi")) return;
                (val ? firstValidation : firstTrain).putIfAbsent(lang, BYTES.encode(doc));
                if (firstValidation.size() == 2 && firstTrain.size() == 2) throw new IllegalStateException("done");
            });
        } catch (IllegalStateException done) {
            // found both
        }
        for (TaskData t : tasks) {
            int[] v = firstValidation.get(t.name());
            assertArrayEquals(v, Arrays.copyOf(t.validation(), v.length), t.name() + ": first validation document");
            int[] c = firstTrain.get(t.name());
            assertArrayEquals(c, Arrays.copyOf(t.calibration(), c.length), t.name() + ": first calibration document");
            assertTrue(t.heldOut().length >= TaskData.tokensFor(2, 16));
            String sample = text(Arrays.copyOf(t.calibration(), Math.min(300, t.calibration().length)));
            assertEquals(t.name(), labeler.label(sample), "calibration text of " + t.name() + ": " + sample);
        }
    }
}
