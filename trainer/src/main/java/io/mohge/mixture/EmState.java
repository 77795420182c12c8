package io.mohge.mixture;

import io.mohge.config.BadInputException;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.files.AtomicFiles;
import io.mohge.json.JsonRecords;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.mohge.json.JsonRecords.required;

/**
 * The router EM's progress ({@code em/state.json}), rewritten after every step that changes it. A Gson record
 * ({@link JsonRecords}); the constructor checks it and names the key.
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

    public EmState {
        if (!FORMAT.equals(required(format, "format"))) {
            throw new IllegalArgumentException("format: expected \"" + FORMAT + "\", got \"" + format + "\"");
        }
        required(configYaml, "config_yaml");
        if (required(changed, "changed").size() != roundsDone) {
            throw new IllegalArgumentException("changed: one count per round done (rounds_done = " + roundsDone
                    + "), got " + changed.size());
        }
        for (int k = 0; k < changed.size(); k++) required(changed.get(k), "changed[" + k + "]");
        changed = List.copyOf(changed);
        if (stopped != null && !stopped.equals(STOP_ROUNDS) && !stopped.equals(STOP_CONVERGED)) {
            throw new IllegalArgumentException("stopped: \"" + stopped + "\" is not " + STOP_ROUNDS + ", "
                    + STOP_CONVERGED + " or null");
        }
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
        AtomicFiles.write(file, JsonRecords.write(this).getBytes(StandardCharsets.UTF_8));
    }

    /** The state in {@code file}, or null when there is none; problems name the file and the key. */
    public static EmState read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        try {
            return JsonRecords.read(Files.readString(file, StandardCharsets.UTF_8), EmState.class);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": not a usable " + FORMAT + " file (" + e.getMessage() + "); start the "
                    + "router training again in a new run.out_dir", e);
        }
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
            throw new BadInputException(change + ": the router training in " + file.getParent().getParent()
                    + " was started with another " + change + " config or dataset (see " + file + "); resume it with "
                    + "the config it was started with, or choose a new run.out_dir");
        }
    }
}
