package io.mohge.tensors;

/** Element types of stored tensors, by their safetensors names. */
public enum DType { F32, F16, BF16 }
