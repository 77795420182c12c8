package io.mohge.mixture;

import io.mohge.config.BadInputException;
import io.mohge.config.RunConfig;
import io.mohge.train.CheckpointStore;
import io.mohge.train.TrainResult;
import io.mohge.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Trains the experts of a mixture, each an ordinary training run ({@link Trainer}) of the run's model on its own
 * partition only: experts read nothing of each other and exchange nothing, so they can train one after another
 * here, at the same time as Spark tasks (the Spark module's SparkExperts), or as separate jobs ({@code --experts r}). Each has
 * its own checkpoints under {@code experts/expert-r} and resumes on its own.
 */
public final class ExpertTraining {

    private static final Logger LOG = LoggerFactory.getLogger(ExpertTraining.class);

    /**
     * @param resume      continue experts that have checkpoints; without it such an expert is refused
     * @param progressBar console progress bars
     * @param stopAfter   pause each expert after this step; 0 = train to trainer.steps
     * @param experts     the experts to train (empty = all)
     */
    public record Options(boolean resume, boolean progressBar, long stopAfter, List<Integer> experts) {
        public Options {
            if (stopAfter < 0) throw new BadInputException("--stop-after must be 0 (no pause) or a step number");
            experts = List.copyOf(experts);
        }
    }

    /**
     * What training one expert gave.
     *
     * @param expert     its index
     * @param stop       COMPLETED, PAUSED or NON_FINITE (as {@link TrainResult.Stop}); SKIPPED when it had finished before
     * @param step       steps done
     * @param valLoss    last validation loss on its own validation sequences (NaN if none this time)
     * @param checkpoint its newest checkpoint
     */
    public record Outcome(int expert, String stop, long step, double valLoss, String checkpoint) implements Serializable {
        public String line() {
            return String.format(java.util.Locale.ROOT, "expert %d: %s at step %d, val_loss %.4f, checkpoint %s", expert,
                    stop, step, valLoss, checkpoint);
        }
    }

    private ExpertTraining() { }

    /** The experts selected by {@code options}, checked against the finished routing and the resume rule. */
    public static List<Integer> selected(RunConfig cfg, Options options) throws IOException {
        Members.check(cfg);
        RouterEm.finalAssignment(cfg);                      // the partition exists
        int n = cfg.mixture().experts();
        List<Integer> experts = options.experts().isEmpty() ? IntStream.range(0, n).boxed().toList() : options.experts();
        for (int r : experts) {
            if (r < 0 || r >= n) {
                throw new BadInputException("--experts: " + r + " is not an expert of this mixture (0.." + (n - 1) + ")");
            }
            Optional<Path> old = Trainer.latestCheckpoint(Members.expert(cfg, MixtureLayout.of(cfg), r));
            if (old.isPresent() && !options.resume()) {
                throw new BadInputException("run.out_dir: expert " + r + " already has checkpoint " + old.get()
                        + "; continue it with --resume, or choose a new run.out_dir");
            }
        }
        return experts;
    }

    /** Trains the selected experts one after another in this JVM. */
    public static List<Outcome> runLocal(RunConfig cfg, Options options) throws IOException {
        List<Outcome> out = new ArrayList<>();
        for (int r : selected(cfg, options)) {
            Outcome o = trainOne(cfg, r, options.progressBar(), options.stopAfter());
            LOG.info("{}", o.line());
            out.add(o);
        }
        return out;
    }

    /**
     * Trains (or continues) expert r: the unit of work a Spark task runs. It always resumes from the expert's newest
     * checkpoint, so a retried task continues instead of starting again; the resume rule is checked beforehand by
     * {@link #selected}.
     */
    public static Outcome trainOne(RunConfig cfg, int r, boolean progressBar, long stopAfter) throws IOException {
        RunConfig expert = Members.expert(cfg, MixtureLayout.of(cfg), r);
        Optional<Path> latest = Trainer.latestCheckpoint(expert);
        long at = latest.map(CheckpointStore::stepOf).orElse(0L);
        long end = stopAfter > 0 ? Math.min(stopAfter, expert.trainer().steps()) : expert.trainer().steps();
        if (latest.isPresent() && at >= end) return new Outcome(r, "SKIPPED", at, Double.NaN, latest.get().toString());
        TrainResult t = Trainer.run(expert, new Trainer.Options(true, progressBar, stopAfter));
        return new Outcome(r, t.stop().name(), t.step(), t.valLoss(),
                t.lastCheckpoint() == null ? "" : t.lastCheckpoint().toString());
    }
}
