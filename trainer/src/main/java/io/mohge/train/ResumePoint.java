package io.mohge.train;

import io.mohge.config.BadInputException;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a run starts, decided before anything of the run is written: from scratch, or from the newest checkpoint
 * that verifies. A run directory that holds checkpoints is only continued with {@code --resume}, and only with the
 * model and log grid it was trained with. When the newest checkpoints are corrupt (e.g. a disk error), an unattended
 * restart falls back to the newest good one with a warning naming the bad ones; {@link #setAsideCorrupt} then renames
 * them to {@code step-NNNNNN.corrupt}, so that they are kept for inspection but never resumed, pruned in place of a
 * good one, or exported.
 *
 * @param dir        the checkpoint to resume from, null for a fresh start
 * @param checkpoint its verified contents, null for a fresh start
 * @param corrupt    newer checkpoints that failed verification, newest first
 */
public record ResumePoint(Path dir, Checkpoint checkpoint, List<Path> corrupt) {

    private static final Logger LOG = LoggerFactory.getLogger(ResumePoint.class);
    static final String CORRUPT_SUFFIX = ".corrupt";

    public ResumePoint {
        if ((dir == null) != (checkpoint == null)) throw new IllegalArgumentException("dir and checkpoint go together");
        corrupt = List.copyOf(corrupt);
    }

    /** Step the run continues after (0 for a fresh start). */
    public long step() {
        return checkpoint == null ? 0 : checkpoint.step();
    }

    /** Finds the start of {@code cfg}'s run; throws BadInputException when it may not start. */
    public static ResumePoint find(RunConfig cfg, boolean resume) throws IOException {
        CheckpointStore store = new CheckpointStore(Trainer.checkpointRoot(cfg), cfg.trainer().keepCheckpoints());
        List<Path> all = store.list();
        if (all.isEmpty()) return new ResumePoint(null, null, List.of());
        if (!resume) {
            throw new BadInputException("run.out_dir: " + cfg.run().outDir() + " already holds checkpoint "
                    + all.get(all.size() - 1).getFileName() + "; continue it with mohge train --resume, or choose a new "
                    + "run.out_dir");
        }
        List<Path> corrupt = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path dir = all.get(i);
            Checkpoint c;
            try {
                c = CheckpointStore.load(dir);
            } catch (IllegalArgumentException | IOException e) {
                corrupt.add(dir);
                problems.add(e.getMessage());
                continue;
            }
            requireCompatible(cfg, dir);
            if (!corrupt.isEmpty()) {
                LOG.warn("checkpoint {} is corrupt ({}); resuming from the newest good one, {}, and renaming the bad "
                        + "one(s) to *{}", corrupt, String.join("; ", problems), dir.getFileName(), CORRUPT_SUFFIX);
            }
            return new ResumePoint(dir, c, corrupt);
        }
        throw new BadInputException("run.out_dir: no checkpoint in " + store.root() + " can be resumed, every one "
                + "is corrupt: " + String.join("; ", problems) + ". Start the run again in a new run.out_dir");
    }

    /** The model and the metrics' step grid must be the checkpoint's; other changes only warn. */
    private static void requireCompatible(RunConfig cfg, Path dir) {
        Path savedFile = dir.resolve(CheckpointStore.CONFIG);
        RunConfig saved = ConfigLoader.load(savedFile);
        if (!saved.model().equals(cfg.model())) {
            throw new BadInputException("model: checkpoint " + dir + " was trained with a different model "
                    + "config; resume with the config in " + savedFile + " or choose a new run.out_dir");
        }
        int logEvery = saved.trainer().logEvery();
        if (logEvery != cfg.trainer().logEvery()) {
            throw new BadInputException("trainer.log_every: checkpoint " + dir + " was logged every " + logEvery
                    + " steps, not " + cfg.trainer().logEvery() + "; metrics.csv would mix two step grids and stop "
                    + "matching an uninterrupted run. Resume with --set trainer.log_every=" + logEvery
                    + ", or choose a new run.out_dir");
        }
        if (!saved.losses().equals(cfg.losses()) || !saved.trainer().equals(cfg.trainer())) {
            LOG.warn("resuming {} with changed losses/trainer settings: the run will differ from an uninterrupted one", dir);
        }
    }

    /** Renames the corrupt checkpoints to {@code step-NNNNNN.corrupt} (call once the run is sure to start). */
    public void setAsideCorrupt() throws IOException {
        for (Path bad : corrupt) {
            Path aside = bad.resolveSibling(bad.getFileName() + CORRUPT_SUFFIX);
            for (int n = 2; Files.exists(aside); n++) aside = bad.resolveSibling(bad.getFileName() + CORRUPT_SUFFIX + n);
            Files.move(bad, aside);
            LOG.warn("corrupt checkpoint {} kept as {}", bad, aside.getFileName());
        }
    }
}
