package io.mohge.train;

import io.mohge.export.FloatTensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * AdamW over named parameters: Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay
 * Regularization", ICLR 2019, Algorithm 2), in the form PyTorch's torch.optim.AdamW uses, where the decay is
 * scaled by the learning rate. For step t (1-based), gradient g, parameter p:
 * <pre>
 *   p <- p * (1 - lr * wd)                       (skipped for names in noDecay)
 *   m <- b1 * m + (1 - b1) * g
 *   v <- b2 * v + (1 - b2) * g^2
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 * Reference runs: b1 = 0.9, b2 = 0.95, wd = 0.1 (METHOD.md section 8). The state is the step count plus m and v
 * per parameter; {@link #state()} and {@link #load(State)} round-trip it exactly.
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

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Set<String> noDecay;
    private final Map<String, INDArray> m = new TreeMap<>();
    private final Map<String, INDArray> v = new TreeMap<>();
    private long step;

    public AdamW(double beta1, double beta2, double eps, double weightDecay, Set<String> noDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.noDecay = Set.copyOf(noDecay);
    }

    public static AdamW of(TrainerConfig c, Set<String> noDecay) {
        return new AdamW(c.beta1(), c.beta2(), c.eps(), c.weightDecay(), noDecay);
    }

    /** Steps taken so far. */
    public long step() {
        return step;
    }

    /**
     * One update of every parameter in place. {@code grads} must name exactly the parameters in {@code params}.
     */
    public void update(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        if (!params.keySet().equals(grads.keySet())) {
            Set<String> missing = new TreeSet<>(params.keySet());
            missing.removeAll(grads.keySet());
            Set<String> extra = new TreeSet<>(grads.keySet());
            extra.removeAll(params.keySet());
            throw new IllegalArgumentException("AdamW: gradients do not match parameters; missing gradients for "
                    + missing + ", gradients for unknown parameters " + extra);
        }
        long t = step + 1;
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2 = 1.0 - Math.pow(beta2, t);
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String name = e.getKey();
            INDArray p = e.getValue();
            INDArray g = grads.get(name);
            if (!Arrays.equals(p.shape(), g.shape())) {
                throw new IllegalArgumentException("AdamW: gradient of " + name + " has shape " + Arrays.toString(g.shape())
                        + " but the parameter has " + Arrays.toString(p.shape()));
            }
            INDArray mi = moment(m, name, p);
            INDArray vi = moment(v, name, p);
            mi.muli(beta1).addi(g.mul(1.0 - beta1));
            vi.muli(beta2).addi(g.mul(g).muli(1.0 - beta2));
            INDArray denom = Transforms.sqrt(vi.div(bc2), false).addi(eps);
            INDArray delta = mi.div(bc1).divi(denom).muli(lr);
            if (weightDecay > 0 && !noDecay.contains(name)) {
                p.muli(1.0 - lr * weightDecay);
            }
            p.subi(delta);
        }
        step = t;
    }

    private INDArray moment(Map<String, INDArray> store, String name, INDArray p) {
        INDArray s = store.get(name);
        if (s == null) {
            if (step > 0) {
                throw new IllegalStateException("AdamW: no optimizer state for parameter " + name + " after "
                        + step + " steps; the checkpoint's optimizer state does not match the model");
            }
            s = p.ulike().assign(0);
            store.put(name, s);
        } else if (!Arrays.equals(s.shape(), p.shape())) {
            throw new IllegalStateException("AdamW: optimizer state of " + name + " has shape "
                    + Arrays.toString(s.shape()) + " but the parameter has " + Arrays.toString(p.shape()));
        }
        return s;
    }

    /** A copy of the state. */
    public State state() {
        Map<String, FloatTensor> ms = new TreeMap<>();
        Map<String, FloatTensor> vs = new TreeMap<>();
        m.forEach((k, a) -> ms.put(k, FloatTensor.of(a)));
        v.forEach((k, a) -> vs.put(k, FloatTensor.of(a)));
        return new State(step, ms, vs);
    }

    /** Replaces the state by a copy of {@code s}. */
    public void load(State s) {
        m.clear();
        v.clear();
        s.m().forEach((k, t) -> m.put(k, t.toINDArray()));
        s.v().forEach((k, t) -> v.put(k, t.toINDArray()));
        step = s.step();
    }
}
