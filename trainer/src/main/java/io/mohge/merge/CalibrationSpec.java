package io.mohge.merge;

import io.mohge.config.BadInputException;
import io.mohge.data.Corpus;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where a task's calibration documents come from (option {@code --calibration}):
 * <ul>
 *   <li>{@code NAME=FILE} or {@code FILE}: a UTF-8 text file, one document per line ({@code .gz} is gunzipped);
 *       the task is called NAME, or the file's name without its extension;</li>
 *   <li>{@code builtin:europarl}: the built-in Europarl corpus, one task per language, each document labelled by
 *       {@link LanguageLabeler}; {@code languages} restricts the tasks (empty = every language found).</li>
 * </ul>
 */
public sealed interface CalibrationSpec permits CalibrationSpec.FileTask, CalibrationSpec.Europarl {

    /** Task names: letters, digits, '.', '_' and '-' (they become keys of the report and file names). */
    Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** A user file of documents forming one task. */
    record FileTask(String name, Path file) implements CalibrationSpec {
        public FileTask {
            checkName(name, "--calibration");
            if (file == null) throw new BadInputException("--calibration: task " + name + " needs a file");
        }
    }

    /** The built-in Europarl corpus, one task per detected language. */
    record Europarl(List<String> languages) implements CalibrationSpec {
        public Europarl {
            languages = List.copyOf(languages);
            for (String l : languages) checkName(l, "--languages");
        }
    }

    /**
     * Parses one {@code --calibration} value; {@code resolve} turns a typed path into the path to open (the CLI
     * resolves it against the user's directory).
     */
    static CalibrationSpec parse(String value, List<String> languages, Function<String, Path> resolve) {
        if (value == null || value.isBlank()) {
            throw new BadInputException("--calibration: empty value; give NAME=FILE, FILE or " + Corpus.BUILTIN_EUROPARL);
        }
        if (value.startsWith("builtin:")) {
            if (!value.equals(Corpus.BUILTIN_EUROPARL)) {
                throw new BadInputException("--calibration: unknown built-in corpus '" + value + "'; the only one is "
                        + Corpus.BUILTIN_EUROPARL);
            }
            return new Europarl(languages);
        }
        int eq = value.indexOf('=');
        String name;
        String file;
        if (eq >= 0) {
            name = value.substring(0, eq);
            file = value.substring(eq + 1);
        } else {
            file = value;
            String base = Path.of(value).getFileName().toString();
            if (base.endsWith(".gz")) base = base.substring(0, base.length() - 3);
            int dot = base.indexOf('.');
            name = dot > 0 ? base.substring(0, dot) : base;
        }
        if (file.isBlank()) throw new BadInputException("--calibration: " + value + " names no file; give NAME=FILE");
        checkName(name, "--calibration");
        return new FileTask(name, resolve.apply(file));
    }

    private static void checkName(String name, String option) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new BadInputException(option + ": task name '" + name + "' is not allowed; use letters, digits, "
                    + "'.', '_' or '-' (at most 64, e.g. --calibration legal=docs/legal.txt)");
        }
    }
}
