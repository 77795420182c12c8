package io.mohge.losses;

import java.util.Collection;
import java.util.Map;
import java.util.Random;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite-difference check of SameDiff gradients, for graphs built in double precision.
 * For each listed variable a few randomly chosen elements are perturbed by +-eps and
 * {@code (L(x+eps) - L(x-eps)) / (2 eps)} is compared with the backprop gradient. Sampling keeps the check fast
 * on graphs with thousands of weights (GradCheckUtil perturbs every element).
 */
public final class GradientCheck {

    /**
     * Worst element found. Its relative error is |a - n| / (|a| + |n|), or 0 when the absolute error |a - n| is
     * below {@code minAbsError} (finite differences cannot resolve smaller differences; as in GradCheckUtil).
     */
    public record Result(String variable, long index, double analytic, double numeric, double relError,
                         int checked, double gradientNorm) {
        @Override
        public String toString() {
            return String.format("worst %s[%d]: analytic %.10g numeric %.10g rel %.3g (%d elements, |grad| %.4g)",
                    variable, index, analytic, numeric, relError, checked, gradientNorm);
        }
    }

    private GradientCheck() {
    }

    /**
     * @param sd           graph in double precision whose loss variable is {@code loss}
     * @param loss         name of the scalar loss output
     * @param placeholders placeholder values
     * @param variables    trainable variables to check
     * @param perVariable  elements sampled per variable (all elements if the variable is smaller)
     * @param eps          perturbation, e.g. 1e-6
     * @param minAbsError  absolute errors below this count as exact, e.g. 1e-9
     */
    public static Result check(SameDiff sd, String loss, Map<String, INDArray> placeholders,
                               Collection<String> variables, int perVariable, double eps, double minAbsError,
                               long seed) {
        sd.setLossVariables(loss);
        Map<String, INDArray> grads = sd.calculateGradients(placeholders, variables);
        Random random = new Random(seed);
        Result worst = null;
        int checked = 0;
        double normSq = 0;
        for (String name : variables) {
            INDArray param = sd.getArrForVarName(name);
            if (param.dataType() != DataType.DOUBLE) {
                throw new IllegalArgumentException(name + ": gradient checks need a DOUBLE graph, got " + param.dataType());
            }
            INDArray grad = grads.get(name);
            if (grad == null) throw new IllegalStateException(name + ": no gradient returned by SameDiff");
            normSq += grad.norm2Number().doubleValue() * grad.norm2Number().doubleValue();
            long n = param.length();
            int samples = (int) Math.min(n, perVariable);
            for (int s = 0; s < samples; s++) {
                long i = n <= perVariable ? s : (long) (random.nextDouble() * n);
                double original = param.getDouble(i);
                param.putScalar(i, original + eps);
                double plus = sd.output(placeholders, loss).get(loss).getDouble(0);
                param.putScalar(i, original - eps);
                double minus = sd.output(placeholders, loss).get(loss).getDouble(0);
                param.putScalar(i, original);
                double numeric = (plus - minus) / (2 * eps);
                double analytic = grad.getDouble(i);
                double abs = Math.abs(analytic - numeric);
                double rel = abs < minAbsError ? 0 : abs / (Math.abs(analytic) + Math.abs(numeric));
                checked++;
                if (worst == null || rel > worst.relError()) {
                    worst = new Result(name, i, analytic, numeric, rel, 0, 0);
                }
            }
        }
        if (worst == null) throw new IllegalArgumentException("variables: nothing to check");
        return new Result(worst.variable(), worst.index(), worst.analytic(), worst.numeric(), worst.relError(),
                checked, Math.sqrt(normSq));
    }
}
