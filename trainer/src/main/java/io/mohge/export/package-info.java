/**
 * Export of trained checkpoints for serving: {@code model.safetensors} ({@link io.mohge.export.SafetensorsWriter},
 * F32 / F16 / BF16), {@code config.json} ({@link io.mohge.export.HfConfig}, Hugging Face style keys) and
 * {@code placement.json} (expert placement on expert-parallel ranks). Tensor names:
 * {@link io.mohge.export.TensorNames}. {@link io.mohge.export.SafetensorsReader} reads files back for checks.
 */
package io.mohge.export;
