package io.mohge.mixture;

import io.mohge.config.BadInputException;
import io.mohge.config.MixtureConfig;
import io.mohge.config.RunConfig;
import io.mohge.data.DataConfig;
import io.mohge.data.DataLocation;
import io.mohge.data.Manifest;
import io.mohge.data.Prepare;
import io.mohge.data.SequenceSubset;
import io.mohge.data.ShardFormatException;
import io.mohge.data.Split;
import io.mohge.data.TokenDataset;
import io.mohge.train.CheckpointStore;
import io.mohge.train.Trainer;
import io.mohge.config.TrainerConfig;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Trains the R routers of a mixture by EM over prefix log-likelihoods (docs/smalltalk.md), then writes the experts'
 * partition.
 * <ol>
 *   <li>Start (round 0): a random balanced split of the train and validation sequences ({@link Assignment}).</li>
 *   <li>Round K = 1, 2, ...: every router trains {@code mixture.router.trainer.steps} steps on the sequences the
 *       previous assignment gave it (the first router seq_len tokens of each, written as a dataset of its own);
 *       then every router scores the first M tokens of every sequence ({@link PrefixScorer}) and the sequences are
 *       assigned again under the balance rule. Stop after em_rounds rounds, or once at most em_stop_fraction of the
 *       train sequences changed router.</li>
 *   <li>The final assignment splits the sequences into R datasets, one per expert, through the Hadoop FileSystem
 *       ({@link SequenceSubset}).</li>
 * </ol>
 * Each router is an ordinary resumable training run ({@link Trainer}) over all rounds: one optimizer and one
 * learning-rate schedule, with new data every round ({@link Trainer.Options#newDataAfter}). Every assignment is
 * saved, and the EM's progress ({@link EmState}) after each step, so an interrupted EM continues where it stopped
 * and ends with the same routers and assignment as an uninterrupted one.
 */
public final class RouterEm {

    private static final Logger LOG = LoggerFactory.getLogger(RouterEm.class);

    /**
     * @param resume      continue the EM in run.out_dir; without it an existing EM there is refused
     * @param progressBar console progress bars of the router runs
     * @param stopAfter   pause once the routers reach this many steps (with their checkpoints); 0 = no pause
     */
    public record Options(boolean resume, boolean progressBar, long stopAfter) {
        public Options {
            if (stopAfter < 0) throw new BadInputException("--stop-after must be 0 (no pause) or a step number");
        }
    }

    /**
     * Where the EM stands.
     *
     * @param assignment the newest assignment
     * @param state      the saved progress
     * @param paused     stopped by {@link Options#stopAfter} before the end
     */
    public record Result(AssignmentFile assignment, EmState state, boolean paused) { }

    private final RunConfig cfg;
    private final MixtureConfig mix;
    private final MixtureLayout layout;
    private final Options options;
    private final Configuration hconf = new Configuration();
    private final int stepsPerRound;

    private RouterEm(RunConfig cfg, Options options) {
        this.cfg = cfg;
        this.mix = cfg.mixture();
        this.layout = MixtureLayout.of(cfg);
        this.options = options;
        this.stepsPerRound = mix.router().trainer().steps();
    }

    /** Runs (or continues) the EM and writes the partition. */
    public static Result run(RunConfig cfg, Options options) throws IOException {
        Members.check(cfg);
        return new RouterEm(cfg, options).run();
    }

    private Result run() throws IOException {
        EmState state = EmState.read(layout.emState());
        if (state != null && !options.resume()) {
            throw new BadInputException("run.out_dir: " + layout.outDir() + " already holds router training ("
                    + layout.emState() + ", round " + state.roundsDone() + "); continue it with --resume, or choose a "
                    + "new run.out_dir");
        }
        if (state == null) requireNoRouterCheckpoints();
        Prepare.prepare(cfg.data(), hconf);
        try (TokenDataset source = TokenDataset.open(cfg.data().dir(), hconf)) {
            Sequences seqs = Sequences.of(source, cfg.model().seqLen());
            boolean fresh = state == null;
            if (fresh) {
                state = EmState.start(cfg, source.fingerprint(), seqs);
                new AssignmentFile(Assignment.randomBalanced(seqs.train().length, mix.experts(), cfg.run().seed()),
                        Assignment.randomBalanced(seqs.val().length, mix.experts(), cfg.run().seed() + 1))
                        .write(layout.assignment(0));
                state.write(layout.emState());
                LOG.info("router EM: {} train and {} validation sequences of {} tokens, {} routers, prefix {} tokens",
                        seqs.train().length, seqs.val().length, seqs.length(), mix.experts(), mix.prefixTokens());
            } else {
                state.requireCompatible(cfg, source.fingerprint(), seqs, layout.emState());
            }
            Scores scores = null;
            while (!state.finished()) {
                int round = state.roundsDone() + 1;
                AssignmentFile previous = AssignmentFile.read(layout.assignment(round - 1));
                long end = (long) round * stepsPerRound;
                long stop = options.stopAfter() > 0 ? Math.min(end, options.stopAfter()) : end;
                if (stop <= (long) (round - 1) * stepsPerRound) return new Result(previous, state, true);
                for (int r = 0; r < mix.experts(); r++) {
                    RunConfig router = Members.router(cfg, layout, r, round);
                    writeIfMissing(source, seqs, previous, r, router.data(), mix.router().model().seqLen(),
                            mix.router().trainer(), "mixture.router.trainer.batch_size", "router " + r + " in round " + round,
                            fresh);
                }
                for (int r = 0; r < mix.experts(); r++) trainRouter(r, round, stop);
                if (stop < end) return new Result(previous, state, true);
                if (round > 1) deleteRoundData(round - 1);
                if (scores == null) scores = new Scores(source, seqs);
                AssignmentFile next = scores.assign();
                int changed = Assignment.changed(previous.train(), next.train());
                String stopped = round == mix.emRounds() ? EmState.STOP_ROUNDS
                        : changed <= mix.emStopFraction() * seqs.train().length ? EmState.STOP_CONVERGED : null;
                next.write(layout.assignment(round));
                state = state.afterRound(changed, stopped);
                state.write(layout.emState());
                LOG.info("router EM round {}: {} of {} train sequences changed router ({}); shares {}{}", round, changed,
                        seqs.train().length, String.format(java.util.Locale.ROOT, "%.2f%%", 100.0 * changed / seqs.train().length),
                        Arrays.toString(Assignment.counts(next.train(), mix.experts())),
                        stopped == null ? "" : "; stopping (" + stopped + ")");
            }
            AssignmentFile last = AssignmentFile.read(layout.assignment(state.roundsDone()));
            for (int r = 0; r < mix.experts(); r++) {
                RunConfig expert = Members.expert(cfg, layout, r);
                writeIfMissing(source, seqs, last, r, expert.data(), cfg.model().seqLen(), cfg.trainer(),
                        "trainer.batch_size", "expert " + r, !state.partitionWritten());
            }
            if (state.roundsDone() > 0) deleteRoundData(state.roundsDone());
            if (!state.partitionWritten()) {
                state = state.withPartition();
                state.write(layout.emState());
            }
            return new Result(last, state, false);
        }
    }

    /** A fresh EM must not silently continue router runs left in run.out_dir by another one. */
    private void requireNoRouterCheckpoints() throws IOException {
        for (int r = 0; r < mix.experts(); r++) {
            Optional<Path> old = new CheckpointStore(layout.routerRun(r).resolve("checkpoints"), 1).latest();
            if (old.isPresent()) {
                throw new BadInputException("run.out_dir: " + layout.routerRun(r) + " holds checkpoint " + old.get()
                        + " but no EM state (" + layout.emState() + "); choose a new run.out_dir");
            }
        }
    }

    /**
     * Writes member r's dataset from {@code assignment} unless an intact one is there already (a resume: the content is
     * a function of the saved assignment). The member needs more than one batch of sequences in each split.
     */
    private void writeIfMissing(TokenDataset source, Sequences seqs, AssignmentFile assignment, int r, DataConfig data,
                                int length, TrainerConfig trainer, String batchKey, String member, boolean always)
            throws IOException {
        boolean exists = exists(data);
        if (!always && exists && intact(data)) return;
        long[] train = seqs.startsOf(Split.TRAIN, assignment.train(), r);
        long[] val = seqs.startsOf(Split.VAL, assignment.val(), r);
        int need = trainer.batchSize() + 1;
        if (train.length < need || val.length < need) {
            throw new BadInputException("mixture.balance: the assignment gives " + member + " " + train.length
                    + " train and " + val.length + " validation sequences, but it needs " + batchKey + " + 1 = " + need
                    + " of each (a sequence boundary costs one window); "
                    + (mix.balance() == MixtureConfig.Balance.NONE || mix.capacityFactor() > 1
                    ? "use balance: capacity with capacity_factor 1, " : "")
                    + "lower " + batchKey + ", or use more data (data.max_corpus_bytes, data.val_fraction)");
        }
        if (!always && exists) {
            LOG.warn("{}: the dataset of {} is damaged; writing it again from the saved assignment", data.dir(), member);
        }
        SequenceSubset.write(source, new SequenceSubset.Selection(length, train, val), data, hconf);
    }

    private boolean exists(DataConfig data) throws IOException {
        DataLocation dir = DataLocation.resolve(data.dir(), hconf);
        return dir.fs().exists(dir.child(Manifest.FILE_NAME).path());
    }

    private boolean intact(DataConfig data) throws IOException {
        try (TokenDataset d = TokenDataset.open(data.dir(), hconf)) {
            d.verify();
            return d.manifest().params().equals(Manifest.Params.of(data));
        } catch (ShardFormatException e) {
            LOG.warn("{}", e.getMessage());
            return false;
        }
    }

    /** Trains router r up to step {@code stop} of round {@code round} (a resume if it is already part-way). */
    private void trainRouter(int r, int round, long stop) throws IOException {
        RunConfig router = Members.router(cfg, layout, r, round);
        long at = Trainer.latestCheckpoint(router).map(CheckpointStore::stepOf).orElse(0L);
        if (at >= stop) return;
        long roundStart = (long) (round - 1) * stepsPerRound;
        Trainer.run(router, new Trainer.Options(true, options.progressBar(), stop, roundStart));
    }

    private void deleteRoundData(int round) throws IOException {
        DataLocation dir = DataLocation.resolve(layout.routerRoundData(round), hconf);
        if (dir.fs().exists(dir.path())) dir.fs().delete(dir.path(), true);
    }

    /** Every router's log-likelihood of every sequence prefix, and the assignment they give. */
    private final class Scores {
        private final int[][] trainPrefixes;
        private final int[][] valPrefixes;

        Scores(TokenDataset source, Sequences seqs) throws IOException {
            this.trainPrefixes = seqs.prefixes(source, Split.TRAIN, mix.prefixTokens());
            this.valPrefixes = seqs.prefixes(source, Split.VAL, mix.prefixTokens());
        }

        AssignmentFile assign() throws IOException {
            int n = trainPrefixes.length;
            int nv = valPrefixes.length;
            double[][] train = new double[n][mix.experts()];
            double[][] val = new double[nv][mix.experts()];
            for (int r = 0; r < mix.experts(); r++) {
                RunConfig router = Members.router(cfg, layout, r, 1);
                Path latest = Trainer.latestCheckpoint(router).orElseThrow(() -> new IllegalStateException("no router checkpoint"));
                PrefixScorer scorer = new PrefixScorer(LmWeights.fromCheckpoint(latest), mix.prefixTokens());
                fill(train, r, scorer.score(trainPrefixes));
                fill(val, r, scorer.score(valPrefixes));
            }
            return new AssignmentFile(Assignment.balanced(train, capacity(n)), Assignment.balanced(val, capacity(nv)));
        }

        private int capacity(int n) {
            return mix.balance() == MixtureConfig.Balance.NONE ? n : Assignment.capacity(n, mix.experts(), mix.capacityFactor());
        }

        private void fill(double[][] scores, int r, double[] column) {
            for (int i = 0; i < column.length; i++) scores[i][r] = column[i];
        }
    }

    /** The saved assignment of the finished EM, for the experts and the evaluation. */
    public static AssignmentFile finalAssignment(RunConfig cfg) throws IOException {
        MixtureLayout layout = MixtureLayout.of(cfg);
        EmState state = EmState.read(layout.emState());
        if (state == null || !state.partitionWritten()) {
            throw new BadInputException("run.out_dir: " + layout.outDir() + " holds no finished router training; "
                    + "run mohge smalltalk train-routers first");
        }
        return AssignmentFile.read(layout.assignment(state.roundsDone()));
    }
}
