/**
 * Task-aware expert merging for serving ({@code mohge merge}, docs/merge.md): calibration tasks
 * ({@link io.mohge.merge.CalibrationReader}), per-task expert usage as moving averages ({@link io.mohge.merge.TaskStats}),
 * the merge plan and the weighted parameter averaging ({@link io.mohge.merge.MergePlan},
 * {@link io.mohge.merge.ExpertMerger}), the tree-structured bandit search over the merge weights
 * ({@link io.mohge.merge.WeightSearch}), the merged export ({@link io.mohge.merge.MergedExport}) and the serving
 * benchmark ({@link io.mohge.merge.MergeBench}). {@link io.mohge.merge.TaskAwareMerge} ties them together.
 */
package io.mohge.merge;
