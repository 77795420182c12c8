package io.mohge.mixture;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.files.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The router EM's progress ({@code em/state.json}), rewritten after every step that changes it.
 *
 * @param format           {@value #FORMAT}
 * @param configYaml       the run config the EM was started with (a resume must use the same mixture, sequence
 *                         length, seed and data)
 * @param dataFingerprint  fingerprint of the dataset the sequences come from
 * @param trainSequences   routed train sequences
 * @param valSequences     routed validation sequences
 * @param roundsDone       rounds whose assignment is saved ({@code em/assignment-KKK.bin}); 0 = the random start
 * @param changed          per round, train sequences whose router changed in it
 * @param stopped          why the EM ended ({@code rounds}, {@code converged}) or null while it runs
 * @param partitionWritten the experts' datasets were written from the final assignment
 */
public record EmState(String format, String configYaml, long dataFingerprint, int trainSequences, int valSequences,
                      int roundsDone, List<Integer> changed, String stopped, boolean partitionWritten) {

    public static final String FORMAT = "mohge-smalltalk-em-1";
    public static final String STOP_ROUNDS = "rounds";
    public static final String STOP_CONVERGED = "converged";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

    public EmState {
        changed = List.copyOf(changed);
    }

    static EmState start(RunConfig cfg, long fingerprint, Sequences seqs) {
        return new EmState(FORMAT, ConfigLoader.toYaml(cfg), fingerprint, seqs.train().length, seqs.val().length, 0,
                List.of(), null, false);
    }

    public boolean finished() {
        return stopped != null;
    }

    EmState afterRound(int changedInRound, String stop) {
        List<Integer> c = new ArrayList<>(changed);
        c.add(changedInRound);
        return new EmState(format, configYaml, dataFingerprint, trainSequences, valSequences, roundsDone + 1, c, stop,
                false);
    }

    EmState withPartition() {
        return new EmState(format, configYaml, dataFingerprint, trainSequences, valSequences, roundsDone, changed,
                stopped, true);
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, GSON.toJson(this).getBytes(StandardCharsets.UTF_8));
    }

    /** The state in {@code file}, or null when there is none. */
    public static EmState read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        EmState s;
        try {
            s = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), EmState.class);
        } catch (JsonParseException e) {
            throw new IOException(file + ": unreadable EM state (" + e.getMessage() + "); start the router training "
                    + "again in a new run.out_dir");
        }
        if (s == null || !FORMAT.equals(s.format) || s.configYaml == null || s.changed == null) {
            throw new IOException(file + ": not a " + FORMAT + " file; start the router training again in a new run.out_dir");
        }
        return s;
    }

    /** Refuses to continue this EM with a config or dataset it was not started with. */
    void requireCompatible(RunConfig cfg, long fingerprint, Sequences seqs, Path file) {
        RunConfig saved = ConfigLoader.fromYaml(configYaml, file.toString());
        String change = null;
        if (!saved.mixture().equals(cfg.mixture())) change = "mixture";
        else if (saved.model().seqLen() != cfg.model().seqLen()) change = "model.seq_len";
        else if (saved.run().seed() != cfg.run().seed()) change = "run.seed";
        else if (!saved.data().equals(cfg.data()) || fingerprint != dataFingerprint
                || seqs.train().length != trainSequences || seqs.val().length != valSequences) change = "data";
        if (change != null) {
            throw new IllegalArgumentException(change + ": the router training in " + file.getParent().getParent()
                    + " was started with another " + change + " config or dataset (see " + file + "); resume it with "
                    + "the config it was started with, or choose a new run.out_dir");
        }
    }
}
