package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A row-major matrix stored contiguously at an element offset of a c-order array: what a matrix product reads
 * or writes. Unlike an INDArray view (about 30 us to create in ND4J 1.0.0-M2.1) it costs nothing to make, so
 * the routed layer can address each expert's row block every step.
 *
 * @param base   the c-order, contiguous array holding the data; an array of its own (not a view: ND4J gives a
 *               view its own buffer whose native address already includes the view's offset)
 * @param offset element offset of the first value in {@code base}
 */
public record Mat(INDArray base, long offset, int rows, int cols) {

    public Mat {
        if (base.offset() != 0 || base.ordering() != 'c' || !base.isR()) {
            throw new IllegalArgumentException("a matrix needs a c-order floating-point array of its own, got "
                    + base.shapeInfoToString());
        }
        if (rows < 0 || cols < 0 || offset < 0 || offset + (long) rows * cols > base.length()) {
            throw new IllegalArgumentException("matrix [" + rows + ", " + cols + "] at " + offset
                    + " does not fit an array of " + base.length());
        }
    }

    /** A whole 2-D array. */
    public static Mat of(INDArray a) {
        if (a.rank() != 2) throw new IllegalArgumentException("need a matrix, got rank " + a.rank());
        return new Mat(a, 0, a.rows(), a.columns());
    }

    /** Rows [from, from + count) of this matrix. */
    public Mat rows(int from, int count) {
        return new Mat(base, offset + (long) from * cols, count, cols);
    }

    /** This matrix as an ND4J view (creates one). */
    public INDArray view() {
        return Ops.view(base, offset, rows, cols);
    }
}
