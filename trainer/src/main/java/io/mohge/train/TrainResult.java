package io.mohge.train;

import java.nio.file.Path;
import java.util.List;

/**
 * Outcome of {@link Trainer#run}.
 *
 * @param stop           why the loop ended
 * @param step           optimizer steps completed (including those of earlier, resumed runs)
 * @param losses         total training loss of every step run by this call, in order
 * @param valLoss        the last validation loss measured (NaN if none)
 * @param lastCheckpoint the newest checkpoint directory (null if none was ever written)
 * @param message        a one-line summary for the user
 */
public record TrainResult(Stop stop, long step, List<Double> losses, double valLoss, Path lastCheckpoint,
                          String message) {

    /** Why training ended. */
    public enum Stop {
        /** trainer.steps reached. */
        COMPLETED,
        /** Stopped at the requested step before trainer.steps (resume later). */
        PAUSED,
        /** A loss or gradient became NaN/infinite; the last good checkpoint is kept. */
        NON_FINITE
    }

    public TrainResult {
        losses = List.copyOf(losses);
    }
}
