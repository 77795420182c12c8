package io.mohge.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every trainable parameter lives in one flat buffer, and its gradient in a second flat buffer of the same
 * layout (llm.c style): a parameter is a c-order view at its offset. The optimizer, gradient clipping, the
 * Spark transfer and checkpoints then work on whole buffers, and the layers' BLAS calls write gradients
 * straight into their views. Non-trained state (the router balancing biases) is kept apart.
 *
 * <p>Initial values depend only on (seed, name): a matrix is N(0, init_std) from a generator seeded with
 * {@code seed * 1_000_003 + name.hashCode()}, drawn in double and cast, a norm gain is 1 and a bias its declared
 * constant. The SameDiff
 * oracle draws its variables the same way, so both models start from identical weights.
 */
public final class ParamStore {

    /** One named tensor: where it starts in the flat buffers and its shape. */
    public record Entry(String name, long offset, long[] shape, boolean decayed) {
        public long length() {
            long n = 1;
            for (long s : shape) n *= s;
            return n;
        }
    }

    private final DataType dtype;
    private final Map<String, Entry> entries;
    private final INDArray values;     // [P]
    private final INDArray grads;      // [P]
    private final INDArray decayMask;  // [P], 1 where weight decay applies
    private final Map<String, INDArray> state;

    private ParamStore(DataType dtype, Map<String, Entry> entries, long size, Map<String, Long> stateSizes) {
        this.dtype = dtype;
        this.entries = Collections.unmodifiableMap(entries);
        this.values = Nd4j.create(dtype, size);
        this.grads = Nd4j.create(dtype, size);
        this.decayMask = Nd4j.create(dtype, size);
        Map<String, INDArray> s = new LinkedHashMap<>();
        stateSizes.forEach((name, n) -> s.put(name, Nd4j.create(dtype, n)));
        this.state = Collections.unmodifiableMap(s);
    }

    /** Declares the tensors (in model order), then allocates and initialises them. */
    public static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final Map<String, Long> state = new LinkedHashMap<>();
        private final Map<String, Double> constants = new LinkedHashMap<>();
        private long size;

        /** A weight-decayed matrix [rows, cols], N(0, init_std). */
        public Builder matrix(String name, long rows, long cols) {
            return add(new Entry(name, size, new long[] {rows, cols}, true));
        }

        /** A norm gain [n], initialised to 1, not decayed. */
        public Builder gain(String name, long n) {
            return add(new Entry(name, size, new long[] {n}, false));
        }

        /** A bias [n], initialised to {@code value}, not decayed. */
        public Builder bias(String name, long n, double value) {
            constants.put(name, value);
            return add(new Entry(name, size, new long[] {n}, false));
        }

        /** A non-trained state vector [n], initialised to 0. */
        public Builder state(String name, long n) {
            state.put(name, n);
            return this;
        }

        private Builder add(Entry e) {
            if (entries.put(e.name(), e) != null) throw new IllegalStateException("parameter " + e.name() + " declared twice");
            size += e.length();
            return this;
        }

        public ParamStore build(DataType dtype, long seed, double initStd) {
            ParamStore store = new ParamStore(dtype, entries, size, state);
            for (Entry e : entries.values()) store.initialise(e, seed, initStd);
            constants.forEach((name, value) -> store.param(name).assign(value));
            return store;
        }
    }

    private void initialise(Entry e, long seed, double std) {
        INDArray p = param(e.name());
        if (!e.decayed()) {
            p.assign(1.0);
            return;
        }
        Random random = new Random(seed * 1_000_003L + e.name().hashCode());
        double[] v = new double[Math.toIntExact(e.length())];
        for (int i = 0; i < v.length; i++) v[i] = std * random.nextGaussian();
        p.assign(Nd4j.createFromArray(v).castTo(dtype).reshape(e.shape()));
        Ops.view(decayMask, e.offset(), e.length()).assign(1.0);
    }

    public DataType dtype() {
        return dtype;
    }

    /** Parameter names in model order (input to output). */
    public List<String> names() {
        return new ArrayList<>(entries.keySet());
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("unknown parameter " + name);
        return e;
    }

    /** Number of trainable values. */
    public long size() {
        return values.length();
    }

    /** The live view of one parameter. */
    public INDArray param(String name) {
        Entry e = entry(name);
        return Ops.view(values, e.offset(), e.shape());
    }

    /** The live view of one parameter's gradient. */
    public INDArray grad(String name) {
        Entry e = entry(name);
        return Ops.view(grads, e.offset(), e.shape());
    }

    /** One matrix parameter as a {@link Mat} over the flat buffer (no view is created). */
    public Mat paramMat(String name) {
        return mat(values, entry(name));
    }

    /** One matrix parameter's gradient as a {@link Mat} over the flat gradient buffer. */
    public Mat gradMat(String name) {
        return mat(grads, entry(name));
    }

    private static Mat mat(INDArray flat, Entry e) {
        if (e.shape().length != 2) throw new IllegalArgumentException(e.name() + " is not a matrix");
        return new Mat(flat, e.offset(), (int) e.shape()[0], (int) e.shape()[1]);
    }

    /** All parameters as one flat [P] array (live). */
    public INDArray values() {
        return values;
    }

    /** All gradients as one flat [P] array (live). */
    public INDArray grads() {
        return grads;
    }

    /** 1 where AdamW's weight decay applies (matrices), 0 for norm gains. */
    public INDArray decayMask() {
        return decayMask;
    }

    public void zeroGrads() {
        grads.assign(0);
    }

    /** Non-trained state arrays by name (live), e.g. {@code layers.{i}.ffn.router.expert_bias}. */
    public Map<String, INDArray> state() {
        return state;
    }
}
