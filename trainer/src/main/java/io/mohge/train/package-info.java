/**
 * The training loop and its parts: {@link io.mohge.train.LrSchedule} (warmup + cosine),
 * {@link io.mohge.train.AdamW} (decoupled weight decay), {@link io.mohge.train.GradClip} (global norm),
 * {@link io.mohge.train.CheckpointStore} (atomic, verified checkpoints), {@link io.mohge.train.MetricsLog}
 * (CSV + JSONL) and {@link io.mohge.train.Plots} (PNG charts).
 */
package io.mohge.train;
