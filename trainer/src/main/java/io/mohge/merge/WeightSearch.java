package io.mohge.merge;

import io.mohge.config.BadInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Searches the merge-weight simplex for the weights with the lowest held-out loss: a binary tree partitions the
 * simplex ({@link SimplexCell}), and a bandit ({@link LinearUcb}) chooses which leaf's candidate to evaluate next.
 *
 * <ol>
 *   <li>The m vertices of the simplex are evaluated first ("keep rank i intact, drop the others"; rank 0 is the plain
 *       pruning of the folded experts), while the budget lasts.</li>
 *   <li>Then every round the reward model is fitted to all evaluations so far, the leaf whose candidate has the
 *       highest upper confidence bound is evaluated, and that leaf is split in two (below {@code maxDepth}): the
 *       children's candidates are new points inside it. The tree is thus refined where the bandit expects, or has
 *       not yet ruled out, a low loss.</li>
 *   <li>The result is the evaluated candidate with the lowest loss (the first one on ties): never worse than any
 *       candidate evaluated.</li>
 * </ol>
 * Deterministic for a seed: the seed draws the children's points, every other choice breaks ties by order.
 */
public final class WeightSearch {

    /** The quantity to minimise: e.g. the held-out loss of the model merged with {@code weights}. */
    @FunctionalInterface
    public interface Objective {
        double loss(double[] weights);
    }

    /**
     * @param budget      evaluations of the objective in all
     * @param maxDepth    deepest tree level whose cells are still split
     * @param exploration UCB constant c (in standard deviations of the rewards seen)
     * @param ridge       ridge lambda of the reward model
     * @param seed        draws the candidates inside the cells
     */
    public record Config(int budget, int maxDepth, double exploration, double ridge, long seed) {
        public static final Config DEFAULTS = new Config(16, 12, 1.0, 1e-3, 0);

        public Config {
            if (budget < 1) throw new BadInputException("--budget: at least one evaluation is needed, got " + budget);
            if (maxDepth < 0) throw new IllegalArgumentException("search depth: must be >= 0, got " + maxDepth);
            if (!(exploration >= 0)) throw new BadInputException("--exploration: must be >= 0, got " + exploration);
            if (!(ridge > 0)) throw new IllegalArgumentException("ridge: must be positive, got " + ridge);
        }

        public Config withBudget(int b) {
            return new Config(b, maxDepth, exploration, ridge, seed);
        }

        public Config withSeed(long s) {
            return new Config(budget, maxDepth, exploration, ridge, s);
        }
    }

    /** One evaluation: its round (from 1), the weights, their loss, the best loss so far and the cell depth (-1: vertex). */
    public record Evaluation(int round, double[] weights, double loss, double bestSoFar, int depth) {
        public Evaluation {
            weights = weights.clone();
        }

        @Override
        public double[] weights() {
            return weights.clone();
        }
    }

    /** The best candidate and the whole trace. */
    public record Result(double[] weights, double loss, List<Evaluation> trace) {
        public Result {
            weights = weights.clone();
            trace = List.copyOf(trace);
        }

        @Override
        public double[] weights() {
            return weights.clone();
        }

        /**
         * Cumulative regret against the best candidate found: sum over rounds of (loss_t - best loss). The true
         * optimum is unknown, so this is a lower bound of the regret against it.
         */
        public double cumulativeRegret() {
            return trace.stream().mapToDouble(e -> e.loss() - loss).sum();
        }
    }

    private WeightSearch() { }

    /** Minimises {@code objective} over the simplex of {@code m} weights. */
    public static Result run(int m, Objective objective, Config config) {
        SimplexCell root = SimplexCell.root(m);
        LinearUcb bandit = new LinearUcb(m, config.ridge(), config.exploration());
        SplittableRandom rnd = new SplittableRandom(config.seed());
        List<Evaluation> trace = new ArrayList<>();
        double[] bestWeights = null;
        double best = Double.POSITIVE_INFINITY;
        for (int v = 0; v < m && trace.size() < config.budget(); v++) {
            double[] w = root.vertices()[v];
            double loss = evaluate(objective, w);
            bandit.observe(w, -loss);
            if (loss < best) {
                best = loss;
                bestWeights = w;
            }
            trace.add(new Evaluation(trace.size() + 1, w, loss, best, -1));
        }
        List<SimplexCell> leaves = new ArrayList<>(List.of(root));
        while (trace.size() < config.budget() && !leaves.isEmpty()) {
            int pick = 0;
            double top = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < leaves.size(); i++) {
                double u = bandit.ucb(leaves.get(i).point());
                if (u > top) {
                    top = u;
                    pick = i;
                }
            }
            SimplexCell cell = leaves.remove(pick);
            double[] w = cell.point();
            double loss = evaluate(objective, w);
            bandit.observe(w, -loss);
            if (loss < best) {
                best = loss;
                bestWeights = w;
            }
            trace.add(new Evaluation(trace.size() + 1, w, loss, best, cell.depth()));
            if (cell.depth() < config.maxDepth()) leaves.addAll(pick, Arrays.asList(cell.split(rnd)));
        }
        return new Result(bestWeights, best, trace);
    }

    private static double evaluate(Objective objective, double[] w) {
        double loss = objective.loss(w.clone());
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("merge search: the loss of weights " + Arrays.toString(w) + " is " + loss);
        }
        return loss;
    }
}
