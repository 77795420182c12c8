package io.mohge.train;

import io.mohge.engine.Kernels;
import io.mohge.tensors.FloatTensor;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * AdamW over the model's flat parameter buffer: Adam with decoupled weight decay (Loshchilov and Hutter,
 * "Decoupled Weight Decay Regularization", ICLR 2019, Algorithm 2) in the form torch.optim.AdamW uses, where the
 * decay is scaled by the learning rate. For step t (1-based), gradient g, parameter p:
 * <pre>
 *   p <- p * (1 - lr * wd)                       (only where the decay mask is 1: matrices, not norm gains)
 *   m <- b1 * m + (1 - b1) * g
 *   v <- b2 * v + (1 - b2) * g^2
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 * One fused kernel pass per step ({@link Kernels#adamW}). The state is the step count plus flat m and v;
 * {@link #state()} and {@link #load(State)} round-trip it exactly, by parameter name for checkpoints.
 */
public final class AdamW {

    /** Optimizer state: steps taken and the first/second moments per parameter name. */
    public record State(long step, Map<String, FloatTensor> m, Map<String, FloatTensor> v) {
        public State {
            if (!m.keySet().equals(v.keySet())) {
                throw new IllegalArgumentException("optimizer state: m and v name different parameters");
            }
            m = Collections.unmodifiableMap(new TreeMap<>(m));
            v = Collections.unmodifiableMap(new TreeMap<>(v));
        }
    }

    private final TrainerConfig cfg;
    private final ModelState model;
    private final Kernels kernels;
    private final INDArray m;
    private final INDArray v;
    private long step;

    public AdamW(TrainerConfig cfg, ModelState model, Kernels kernels) {
        this.cfg = cfg;
        this.model = model;
        this.kernels = kernels;
        this.m = model.store().values().ulike().assign(0);
        this.v = model.store().values().ulike().assign(0);
    }

    /** Steps taken so far. */
    public long step() {
        return step;
    }

    /**
     * One update of every parameter in place.
     *
     * @param grads flat [P] gradient in the model's layout
     */
    public void update(INDArray grads, double lr) {
        INDArray p = model.store().values();
        if (grads.length() != p.length()) {
            throw new IllegalArgumentException("AdamW: " + grads.length() + " gradient values for " + p.length()
                    + " parameters");
        }
        step++;
        kernels.adamW(p, grads, m, v, model.store().decayMask(),
                new Kernels.AdamWStep(lr, cfg.beta1(), cfg.beta2(), cfg.eps(), cfg.weightDecay(), step));
    }

    /** A copy of the state. */
    public State state() {
        return new State(step, model.tensors(m), model.tensors(v));
    }

    /** Replaces the state by a copy of {@code s}. */
    public void load(State s) {
        model.assign(s.m(), m, "optimizer first moments", "optimizer state");
        model.assign(s.v(), v, "optimizer second moments", "optimizer state");
        step = s.step();
    }
}
