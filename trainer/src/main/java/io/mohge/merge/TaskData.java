package io.mohge.merge;

import java.util.Arrays;

/**
 * One task's calibration text as token streams (documents encoded and each closed by the end-of-document token),
 * in three disjoint parts of its documents:
 *
 * @param name        the task
 * @param calibration documents whose routing gives the task's expert usage ({@link TaskStats})
 * @param heldOut     documents whose loss is the weight search's reward
 * @param validation  documents used by nothing but the final measurement (the serving benchmark)
 * @param documents   documents read for the task, all parts
 */
public record TaskData(String name, int[] calibration, int[] heldOut, int[] validation, int documents) {

    public TaskData {
        if (name == null || !CalibrationSpec.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("task: invalid name '" + name + "'");
        }
        if (calibration == null || heldOut == null || validation == null) {
            throw new IllegalArgumentException("task " + name + ": token streams must not be null");
        }
        if (documents < 0) throw new IllegalArgumentException("task " + name + ": documents must be >= 0");
    }

    /** The part of the task's documents a stream belongs to. */
    public enum Part { CALIBRATION, HELD_OUT, VALIDATION }

    public int[] stream(Part part) {
        return switch (part) {
            case CALIBRATION -> calibration;
            case HELD_OUT -> heldOut;
            case VALIDATION -> validation;
        };
    }

    /**
     * Consecutive training-style windows of {@code seqLen + 1} tokens (inputs and shifted targets) cut from a part
     * with stride {@code seqLen}: at most {@code max}, and a multiple of {@code batch} so that every batch has the
     * same size. Empty when the part holds fewer than {@code batch} windows.
     */
    public int[][] windows(Part part, int seqLen, int max, int batch) {
        if (seqLen < 1 || max < 0 || batch < 1) {
            throw new IllegalArgumentException("windows: seqLen >= 1, max >= 0 and batch >= 1 needed");
        }
        int[] s = stream(part);
        int available = s.length <= seqLen ? 0 : (s.length - 1) / seqLen;
        int n = Math.min(available, max);
        n -= n % batch;
        int[][] out = new int[n][];
        for (int w = 0; w < n; w++) out[w] = Arrays.copyOfRange(s, w * seqLen, w * seqLen + seqLen + 1);
        return out;
    }

    /** Tokens a part needs to give {@code windows} windows of {@code seqLen}. */
    public static long tokensFor(int windows, int seqLen) {
        return (long) windows * seqLen + 1;
    }
}
