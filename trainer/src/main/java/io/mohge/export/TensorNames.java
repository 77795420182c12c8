package io.mohge.export;

/**
 * Names of the tensors in an exported {@code model.safetensors} (scheme {@value #SCHEME}, also written to
 * config.json as {@code tensor_name_scheme} and to the file's metadata).
 *
 * <p>Exported names are the model's own SameDiff variable names, unchanged, so that an export and the
 * checkpoint it came from name every tensor the same way; the mohge-model module documents them. Matrices
 * keep SameDiff's layout {@code [in, out]} (the model computes {@code x W}); a PyTorch {@code nn.Linear}
 * stores the transpose {@code [out, in]}. Router balancing biases (auxiliary-loss-free balancing) are
 * exported under their variable names too, since expert selection at inference depends on them.
 */
public final class TensorNames {

    public static final String SCHEME = "mohge-j-samediff-v1";

    private TensorNames() { }

    /** Exported name of a checkpoint tensor. */
    public static String exported(String checkpointName) {
        if (checkpointName == null || checkpointName.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        return checkpointName;
    }
}
