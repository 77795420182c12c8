package io.mohge.engine;

/**
 * How the switch controllers turn their probabilities beta into decisions (docs/temporal.md). A decision is
 * taken at every position except the first of a sequence, which always routes. {@code true} = switch: the router
 * picks a new expert set; {@code false} = keep the previous token's set.
 * <ul>
 *   <li>{@link Kind#GREEDY}: switch when beta >= 0.5 (evaluation and generation; the default);</li>
 *   <li>{@link Kind#SAMPLE}: switch with probability beta, from a uniform draw that depends only on (seed, layer,
 *       position), so a step is reproducible (training; the controller's gradient is estimated from these samples);</li>
 *   <li>{@link Kind#ALWAYS} / {@link Kind#NEVER}: forced decisions, for tests and diagnostics;</li>
 *   <li>{@link Kind#FIXED}: given decisions [layer][position], treated as samples of the controller (the estimator
 *       test enumerates every decision vector this way).</li>
 * </ul>
 *
 * @param seed  seed of the draws (SAMPLE)
 * @param fixed [routed layer][position] decisions (FIXED), else null
 */
public record SwitchPolicy(Kind kind, long seed, boolean[][] fixed) {

    public enum Kind { GREEDY, SAMPLE, ALWAYS, NEVER, FIXED }

    public static final SwitchPolicy GREEDY = new SwitchPolicy(Kind.GREEDY, 0, null);
    public static final SwitchPolicy ALWAYS = new SwitchPolicy(Kind.ALWAYS, 0, null);
    public static final SwitchPolicy NEVER = new SwitchPolicy(Kind.NEVER, 0, null);

    public SwitchPolicy {
        if (kind == null) throw new IllegalArgumentException("switch policy: kind missing");
        if ((kind == Kind.FIXED) != (fixed != null)) {
            throw new IllegalArgumentException("switch policy: FIXED needs decisions, the other kinds take none");
        }
    }

    /** Decisions sampled from the controller's probabilities with draws seeded by {@code seed}. */
    public static SwitchPolicy sample(long seed) {
        return new SwitchPolicy(Kind.SAMPLE, seed, null);
    }

    /** The given decisions, [routed layer][position], treated as samples of the controller. */
    public static SwitchPolicy fixed(boolean[][] decisions) {
        return new SwitchPolicy(Kind.FIXED, 0, decisions);
    }

    /** True when decisions are samples of the controller's distribution, so its gradient can be estimated. */
    public boolean sampled() {
        return kind == Kind.SAMPLE || kind == Kind.FIXED;
    }

    /** The decision of routed layer {@code layer} at {@code position} (row of the batch) for probability {@code beta}. */
    public boolean switches(int layer, int position, double beta) {
        return switch (kind) {
            case GREEDY -> beta >= 0.5;
            case SAMPLE -> uniform(seed, layer, position) < beta;
            case ALWAYS -> true;
            case NEVER -> false;
            case FIXED -> fixed[layer][position];
        };
    }

    /** A uniform draw in [0, 1) that depends only on its arguments (SplitMix64 finaliser). */
    static double uniform(long seed, int layer, int position) {
        long z = seed + 0x9E3779B97F4A7C15L * (1 + ((long) layer << 32 | (position & 0xFFFFFFFFL)));
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }
}
