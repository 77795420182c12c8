package io.mohge.data;

/**
 * The two parts of a prepared dataset.
 *
 * <p>Assignment rule (deterministic, no seed): document {@code i} (0-based, in corpus order) belongs to the
 * validation split iff {@code floor((i + 1) * f) > floor(i * f)} with {@code f = val_fraction}. This spreads
 * {@code floor(n * f)} validation documents evenly over the corpus (every 20th document for f = 0.05).
 */
public enum Split {
    TRAIN, VAL;

    /** Lower-case name used in file names and the manifest. */
    public String key() { return name().toLowerCase(java.util.Locale.ROOT); }

    /** The split document {@code index} belongs to (see the class comment). */
    public static Split of(long index, double valFraction) {
        return Math.floor((index + 1) * valFraction) > Math.floor(index * valFraction) ? VAL : TRAIN;
    }
}
