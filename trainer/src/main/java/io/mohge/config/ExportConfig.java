package io.mohge.config;

import io.mohge.tensors.DType;

/**
 * Checkpoint export for serving stacks (YAML section {@code export}).
 *
 * @param dir      output directory; empty means {@code <run.out_dir>/export}
 * @param dtype    tensor type written to model.safetensors
 * @param onFinish export automatically when training finishes
 */
public record ExportConfig(String dir, DType dtype, boolean onFinish) {

    public static final ExportConfig DEFAULTS = new ExportConfig("", DType.F32, true);

    public ExportConfig {
        if (dir == null) throw new IllegalArgumentException("dir: use an empty string for <run.out_dir>/export");
        if (dtype == null) throw new IllegalArgumentException("dtype: choose F32, F16 or BF16");
    }
}
