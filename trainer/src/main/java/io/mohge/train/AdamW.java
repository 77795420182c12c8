package io.mohge.train;

import io.mohge.config.TrainerConfig;
import io.mohge.engine.Kernels;
import io.mohge.engine.ParamStore;
import io.mohge.model.ParamNames;
import io.mohge.tensors.FloatTensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 * One fused kernel pass per step ({@link Kernels#adamW}). When {@code trainer.controller_lr} gives the switch
 * controllers their own learning rate, their few values are updated again from copies taken before the pass, at
 * their rate, and written back (the update is element-wise, so this equals one pass with a per-parameter rate).
 * The state is the step count plus flat m and v;
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
    private INDArray decay;     // [P] where weight decay applies: the store's decay mask, times the trainable mask
    private final List<INDArrayIndex> controllers;   // the controllers' ranges of the flat buffer when their lr differs
    private long step;

    public AdamW(TrainerConfig cfg, ModelState model, Kernels kernels) {
        this.cfg = cfg;
        this.model = model;
        this.kernels = kernels;
        this.m = model.store().values().ulike().assign(0);
        this.v = model.store().values().ulike().assign(0);
        this.decay = model.store().decayMask();
        this.controllers = new ArrayList<>();
        if (cfg.controllerLrScale() != 1.0) {
            for (String name : model.store().names()) {
                if (!ParamNames.isController(name)) continue;
                ParamStore.Entry e = model.store().entry(name);
                controllers.add(NDArrayIndex.interval(e.offset(), e.offset() + e.length()));
            }
        }
    }

    /**
     * Freezes the parameters where {@code trainable} [P] is 0: no weight decay there (their gradients must be zeroed
     * by the caller, see {@link Trainable}).
     */
    public void freeze(INDArray trainable) {
        decay = model.store().decayMask().mul(trainable);
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
        List<INDArray[]> before = new ArrayList<>();       // controllers' p, g, m, v, decay before the pass
        for (INDArrayIndex at : controllers) {
            before.add(new INDArray[] {p.get(at).dup(), grads.get(at).dup(), m.get(at).dup(), v.get(at).dup(),
                    decay.get(at).dup()});
        }
        kernels.adamW(p, grads, m, v, decay, stepOf(lr));
        for (int i = 0; i < controllers.size(); i++) {
            INDArray[] c = before.get(i);
            kernels.adamW(c[0], c[1], c[2], c[3], c[4], stepOf(lr * cfg.controllerLrScale()));
            INDArrayIndex at = controllers.get(i);
            p.get(at).assign(c[0]);
            m.get(at).assign(c[2]);
            v.get(at).assign(c[3]);
        }
    }

    private Kernels.AdamWStep stepOf(double lr) {
        return new Kernels.AdamWStep(lr, cfg.beta1(), cfg.beta2(), cfg.eps(), cfg.weightDecay(), step);
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
