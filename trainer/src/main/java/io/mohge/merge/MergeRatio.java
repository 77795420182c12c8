package io.mohge.merge;

import io.mohge.config.BadInputException;
import io.mohge.model.ModelConfig;

/** Command-line helpers of the merge: the survivors per group from --ratio / --experts-per-group. */
public final class MergeRatio {

    private MergeRatio() { }

    /**
     * Survivors per group: {@code expertsPerGroup} when given, else {@code ratio} ("1/2", "0.25"; default 1/2) of the
     * model's experts per group.
     */
    public static int survivors(ModelConfig config, String ratio, Integer expertsPerGroup) {
        if (ratio != null && expertsPerGroup != null) {
            throw new BadInputException("--ratio and --experts-per-group: give one of them, not both");
        }
        if (expertsPerGroup != null) {
            MergePlan.check(config, expertsPerGroup, "--experts-per-group");
            return expertsPerGroup;
        }
        return MergePlan.survivorsFor(config, parse(ratio == null ? "1/2" : ratio), "--ratio");
    }

    /** "1/2" -> 0.5, "0.25" -> 0.25. */
    public static double parse(String ratio) {
        try {
            int slash = ratio.indexOf('/');
            double r = slash < 0 ? Double.parseDouble(ratio)
                    : Double.parseDouble(ratio.substring(0, slash)) / Double.parseDouble(ratio.substring(slash + 1));
            if (!Double.isFinite(r)) throw new NumberFormatException();
            return r;
        } catch (NumberFormatException e) {
            throw new BadInputException("--ratio: '" + ratio + "' is not a ratio; write it as 1/2 or 0.5");
        }
    }

    public static int expertsPerGroup(ModelConfig c) {
        return MergePlan.routed(c).expertsPerGroup();
    }

    public static int topK(ModelConfig c) {
        return MergePlan.routed(c).topK();
    }
}
