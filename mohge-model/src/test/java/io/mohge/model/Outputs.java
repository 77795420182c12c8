package io.mohge.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs a model forward and returns outputs as plain Java arrays for hand computations. */
final class Outputs {

    private final Map<String, INDArray> values;

    private Outputs(Map<String, INDArray> values) {
        this.values = values;
    }

    static Outputs run(DecoderLM model, Map<String, INDArray> feed, List<String> extra) {
        List<String> names = new ArrayList<>(model.lossTermNames());
        names.add(DecoderLM.LOGITS);
        for (int i = 0; i < model.config().nLayers(); i++) names.addAll(model.routingOutputNames(i));
        names.addAll(extra);
        return new Outputs(model.sameDiff().output(feed, names));
    }

    INDArray raw(String name) {
        INDArray v = values.get(name);
        if (v == null) throw new AssertionError("no output " + name);
        return v;
    }

    double scalar(String name) {
        return raw(name).getDouble(0);
    }

    double[][] matrix(String name) {
        return raw(name).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
    }

    int[][] ints(String name) {
        return raw(name).castTo(org.nd4j.linalg.api.buffer.DataType.INT).toIntMatrix();
    }

    double[] vector(String name) {
        return raw(name).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
    }

    /** 0/1 mask [rows][classes] from index rows. */
    static double[][] mask(int[][] idx, int classes) {
        double[][] m = new double[idx.length][classes];
        for (int n = 0; n < idx.length; n++) for (int c : idx[n]) m[n][c] = 1;
        return m;
    }
}
