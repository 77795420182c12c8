/**
 * Tensor storage shared by checkpoints and exports: {@link io.mohge.tensors.FloatTensor} (a row-major float array
 * with its shape), the safetensors reader and writer, half-float conversion and the stored element types. This
 * package depends on nothing else in the project, so checkpointing ({@code io.mohge.train}) and export
 * ({@code io.mohge.export}) can both use it.
 */
package io.mohge.tensors;
