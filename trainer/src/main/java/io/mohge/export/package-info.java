/**
 * Export of trained checkpoints for serving, in the Hugging Face layout ({@link io.mohge.export.Exporter}):
 * {@code model.safetensors} with Hugging Face names and {@code [out, in]} matrices ({@link io.mohge.export.TensorNames},
 * {@link io.mohge.tensors.SafetensorsWriter}, F32 / F16 / BF16), {@code config.json} ({@link io.mohge.export.HfConfig}),
 * {@code tokenizer.json} ({@link io.mohge.export.HfTokenizer}), the shipped {@code modeling_mohge.py} and
 * {@code configuration_mohge.py} (resources under {@code io/mohge/export/python}) and {@code placement.json}.
 * {@link io.mohge.export.ExportReader} reads an export back into checkpoint names; {@link io.mohge.export.ExportLm}
 * is the one class that runs it in Java.
 */
package io.mohge.export;
