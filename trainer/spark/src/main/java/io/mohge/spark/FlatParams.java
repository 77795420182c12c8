package io.mohge.spark;

import io.mohge.engine.ParamStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The model's flat parameter buffer (and, separately, its router-bias state) as plain {@code float[]}: the form
 * that travels between the Spark driver and executors (plain float[] is 3-5x cheaper to ship than INDArray).
 * The engine already keeps parameters and gradients in one flat buffer each, so this is a straight copy.
 */
final class FlatParams {

    private final ParamStore store;

    FlatParams(ParamStore store) {
        if (store.dtype() != DataType.FLOAT) throw new IllegalArgumentException("Spark training runs in float32");
        this.store = store;
    }

    /** Number of parameters. */
    long size() {
        return store.size();
    }

    float[] params() {
        return store.values().data().asFloat();
    }

    float[] state() {
        int n = 0;
        for (INDArray a : store.state().values()) n += (int) a.length();
        float[] out = new float[n];
        int offset = 0;
        for (INDArray a : store.state().values()) {
            float[] v = a.data().asFloat();
            System.arraycopy(v, 0, out, offset, v.length);
            offset += v.length;
        }
        return out;
    }

    void assignParams(float[] flat) {
        check(flat.length, store.size(), "parameter");
        store.values().data().setData(flat);
    }

    void assignState(float[] flat) {
        int offset = 0;
        for (INDArray a : store.state().values()) {
            int n = (int) a.length();
            check(flat.length - offset >= n ? n : -1, n, "router state");
            float[] slice = new float[n];
            System.arraycopy(flat, offset, slice, 0, n);
            a.data().setData(slice);
            offset += n;
        }
        check(offset, flat.length, "router state");
    }

    /** A flat gradient as shipped back to the driver. */
    static float[] grads(INDArray flatGrads) {
        return flatGrads.castTo(DataType.FLOAT).data().asFloat();
    }

    /** A shipped flat gradient as the optimizer's [P] array. */
    INDArray gradsOf(float[] flat) {
        check(flat.length, store.size(), "gradient");
        return Nd4j.createFromArray(flat);
    }

    private static void check(long got, long want, String what) {
        if (got != want) throw new IllegalStateException("flat " + what + " array of " + got + " values for " + want);
    }
}
