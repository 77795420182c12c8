package io.mohge.train;

import io.mohge.config.BadInputException;
import io.mohge.config.TrainerConfig;
import com.google.gson.Gson;
import io.mohge.allocation.AllocationConfig;
import io.mohge.allocation.ExpertLayout;
import io.mohge.allocation.Placement;
import io.mohge.allocation.PlacementStrategy;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.data.BatchSampler;
import io.mohge.data.DataPosition;
import io.mohge.data.Prepare;
import io.mohge.data.TokenDataset;
import io.mohge.files.AtomicFiles;
import io.mohge.losses.LossNames;
import io.mohge.engine.Kernels;
import io.mohge.engine.Transformer;
import io.mohge.model.ModelConfig;
import org.apache.hadoop.conf.Configuration;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The training loop (docs/method.md sections 5 and 8). Per optimizer step s = 1..steps:
 * <ol>
 *   <li>the next global batch from the resumable sampler turned into gradients by a {@link GradientSource}:
 *       in this JVM ({@link LocalGradients}: grad_accum micro-batches of batch_size windows through the engine's
 *       forward and backward, averaged by {@link GradientStep}) or on Spark workers;
 *       group_aux_scale = 1 when s > group_start_fraction * steps, else 0;</li>
 *   <li>NaN guard: a non-finite loss or gradient norm stops the run before the update, keeping the last
 *       checkpoint;</li>
 *   <li>global-norm clipping ({@link GradClip}), AdamW ({@link AdamW}) at the warmup + cosine rate
 *       ({@link LrSchedule}), router bias update (auxiliary-loss-free balancing, when enabled);</li>
 *   <li>every log_every steps a metrics row ({@link TrainMetrics}), every eval_every steps the validation
 *       loss ({@link Evaluator}), every checkpoint_every steps a checkpoint ({@link CheckpointStore}).</li>
 * </ol>
 * Everything that influences the next step is in the checkpoint (parameters, AdamW state, router biases,
 * sampler position, step), and the loop is deterministic (switch decisions are drawn from seeds fixed by the run
 * seed and the batch), so a resumed run reproduces the losses of an uninterrupted one bit for bit. A conversion
 * ({@code trainer.init_from}) starts from a trained checkpoint, may freeze parameter groups
 * ({@code trainer.trainable}, {@link Trainable}) and distils from the frozen original ({@link InitFrom}). Every buffer of the engine is allocated once, so resident memory stays flat
 * (logged as rss_gb). Files in run.out_dir: {@code checkpoints/step-NNNNNN/}, {@code metrics.csv},
 * {@code metrics.jsonl}, {@code plots/*.png}, {@code config.resolved.yaml} and {@code placement.json}. The export
 * that follows a finished run (export.on_finish) is the caller's step: {@code Exporter.exportFinishedRun}.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final Gson GSON = new Gson();

    /**
     * @param resume      continue from the newest checkpoint in run.out_dir if there is one; when false, a run
     *                    directory that already holds checkpoints is refused
     * @param progressBar draw a console progress bar
     * @param stopAfter   stop (with a checkpoint) after this step even if trainer.steps is larger; 0 = no stop
     * @param newDataAfter the run's data was replaced after this step (e.g. the next round of an EM procedure
     *                    writes each router a new dataset): a resume from a checkpoint at or before this step
     *                    restores weights and optimizer but starts the new data from its beginning instead of the
     *                    saved data position, which belongs to the old data; -1 = the data never changes
     */
    public record Options(boolean resume, boolean progressBar, long stopAfter, long newDataAfter) {
        public Options {
            if (stopAfter < 0) throw new IllegalArgumentException("stopAfter: 0 (no stop) or a step, got " + stopAfter);
            if (newDataAfter < -1) throw new IllegalArgumentException("newDataAfter: -1 (never) or a step, got " + newDataAfter);
        }

        /** Options for a run whose data never changes. */
        public Options(boolean resume, boolean progressBar, long stopAfter) {
            this(resume, progressBar, stopAfter, -1);
        }

        public static Options of(boolean resume) {
            return new Options(resume, true, 0);
        }
    }

    private Trainer() { }

    /** Where the checkpoints of a run live: {@code <run.out_dir>/checkpoints}. */
    public static Path checkpointRoot(RunConfig cfg) {
        return Path.of(cfg.run().outDir()).resolve("checkpoints");
    }

    /** The newest complete checkpoint of a run, if any (what {@code mohge eval} and {@code mohge export} use). */
    public static Optional<Path> latestCheckpoint(RunConfig cfg) throws IOException {
        return new CheckpointStore(checkpointRoot(cfg), 1).latest();
    }

    /** Export directory: {@code export.dir}, or {@code <run.out_dir>/export} when empty. */
    public static Path exportDir(RunConfig cfg) {
        return cfg.export().dir().isEmpty() ? Path.of(cfg.run().outDir()).resolve("export") : Path.of(cfg.export().dir());
    }

    /** Trains {@code cfg} with a progress bar; see {@link #run(RunConfig, Options)}. */
    public static TrainResult run(RunConfig cfg, boolean resume) throws IOException {
        return run(cfg, Options.of(resume));
    }

    /** Trains {@code cfg} in this JVM. */
    public static TrainResult run(RunConfig cfg, Options options) throws IOException {
        return run(cfg, options, LocalGradients::new);
    }

    /** Trains {@code cfg} with gradients from {@code gradients} (this JVM, or data-parallel workers). */
    public static TrainResult run(RunConfig cfg, Options options, GradientSource.Factory gradients) throws IOException {
        // validate first (sizes, checkpoints, data), write afterwards: a refused run changes no file of the run
        MemoryEstimate.of(cfg.model(), cfg.trainer()).requireFitsThisMachine();
        ResumePoint resume = ResumePoint.find(cfg, options.resume());
        InitFrom init = InitFrom.open(cfg);
        Path out = Path.of(cfg.run().outDir());
        Configuration hconf = new Configuration();
        Prepare.prepare(cfg.data(), hconf);
        try (TokenDataset data = TokenDataset.open(cfg.data().dir(), hconf)) {
            ValidationSplit.requireOneBatch(data, cfg.model().seqLen(), cfg.trainer().batchSize());
            Loop loop = new Loop(cfg, options, out, data, resume, init);
            Files.createDirectories(out);
            resume.setAsideCorrupt();
            AtomicFiles.writeString(out.resolve("config.resolved.yaml"), ConfigLoader.toYaml(cfg));
            if (!loop.placementJson.isEmpty()) AtomicFiles.writeString(out.resolve("placement.json"), loop.placementJson);
            try (GradientSource source = gradients.open(GradientSource.Spec.of(cfg), loop.model, loop.teacher, loop.state, loop.sampler, data)) {
                return loop.run(source);
            }
        }
    }

    /** One training run's state. */
    private static final class Loop {
        private final RunConfig cfg;
        private final TrainerConfig tc;
        private final Options options;
        private final Path out;
        private final Transformer model;
        private final ModelState state;
        private final Kernels kernels;
        private final AdamW optimizer;
        private final BatchSampler sampler;
        private final List<int[][]> valBatches;
        private final CheckpointStore store;
        private final String placementJson;
        private final RoutingStats routing;
        private final ResumePoint resume;
        private final InitFrom init;
        private final Transformer teacher;        // frozen original of a conversion with self-distillation, or null
        private final INDArray trainableMask;     // [P] 1 = trained, 0 = frozen; null when everything trains
        private final int[] cacheSizes;           // expert-cache sizes of the evaluation's simulation

        Loop(RunConfig cfg, Options options, Path out, TokenDataset data, ResumePoint resume, InitFrom init)
                throws IOException {
            this.resume = resume;
            this.init = init;
            this.cfg = cfg;
            this.tc = cfg.trainer();
            this.options = options;
            this.out = out;
            ModelConfig model = cfg.model();
            this.model = Transformer.create(model, cfg.losses(), cfg.run().seed(), DataType.FLOAT);
            this.state = new ModelState(this.model.params());
            this.kernels = Kernels.forType(DataType.FLOAT);
            this.optimizer = new AdamW(tc, state, kernels);
            this.trainableMask = Trainable.mask(this.model.params(), tc.trainable());
            if (trainableMask != null) optimizer.freeze(trainableMask);
            this.model.trainControllersOnly(tc.trainsControllersOnly());
            this.teacher = init != null && cfg.losses().hasDistillation() ? init.teacher() : null;
            this.cacheSizes = Evaluator.defaultCacheSizes(model);
            // rank 0 of 1 is valid, so a refusal means the data holds no window of model.seq_len + 1 tokens
            this.sampler = BadInputException.whenRefused(
                    () -> data.trainSampler(model.seqLen(), cfg.run().seed(), 0, 1));
            this.valBatches = data.valBatches(model.seqLen(), tc.batchSize(), tc.evalBatches());
            this.store = new CheckpointStore(checkpointRoot(cfg), tc.keepCheckpoints());
            ExpertLayout layout = cfg.expertLayout().orElse(null);
            if (layout == null) {
                this.placementJson = "";
                this.routing = null;
            } else {
                AllocationConfig alloc = cfg.allocation();
                Placement placement = PlacementStrategy.of(alloc.strategy()).place(layout, alloc.ranks());
                Placement contiguous = PlacementStrategy.of(AllocationConfig.Strategy.CONTIGUOUS).place(layout, alloc.ranks());
                this.placementJson = placement.toJson();
                this.routing = new RoutingStats(layout, model.nLayers(), placement, contiguous, model.hasController());
            }
        }

        TrainResult run(GradientSource gradients) throws IOException {
            long start = 0;
            Path lastCheckpoint = null;
            if (resume.checkpoint() != null) {
                start = restore(resume.dir(), resume.checkpoint());
                lastCheckpoint = resume.dir();
            } else if (init != null) {
                init.loadInto(state);
                LOG.info("initialised from {} (step {}); training {}", init.dir(), init.checkpoint().step(), tc.trainable());
            }
            long end = options.stopAfter() > 0 ? Math.min(options.stopAfter(), tc.steps()) : tc.steps();
            double peak = Flops.measurePeak(512, 5);
            LOG.info("training {} ({} parameters) steps {}..{} of {}; measured peak {} GFLOP/s", cfg.run().name(),
                    state.parameterCount(), start + 1, end, tc.steps(), String.format("%.1f", peak / 1e9));
            TrainMetrics metrics = new TrainMetrics(cfg.model(), routing, peak, teacher != null,
                    Evaluator.routingColumns(cfg.model(), cacheSizes));
            LrSchedule schedule = LrSchedule.of(tc);
            List<Double> losses = new ArrayList<>();
            double valLoss = Double.NaN;
            TrainResult.Stop stop = end == tc.steps() ? TrainResult.Stop.COMPLETED : TrainResult.Stop.PAUSED;
            String message = null;
            long step = start;
            long t0 = System.nanoTime();
            try (MetricsLog log = MetricsLog.open(out, metrics.columns(), start == 0 ? -1 : start);
                 Progress progress = new Progress(options.progressBar(), cfg.run().name(), start, tc.steps())) {
                while (step < end) {
                    long s = step + 1;
                    double lr = schedule.at(s);
                    double groupScale = s > cfg.losses().groupStartFraction() * tc.steps() ? 1.0 : 0.0;
                    long begin = System.nanoTime();
                    GradientStep.Result r = gradients.next(groupScale);
                    if (trainableMask != null) r.grads().muli(trainableMask);      // frozen groups: no gradient
                    double loss = r.losses().get(LossNames.TOTAL);
                    double norm = GradClip.clip(kernels, r.grads(), tc.clipNorm());
                    if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                        stop = TrainResult.Stop.NON_FINITE;
                        message = "step " + s + ": non-finite training values " + r.losses() + ", grad_norm = " + norm
                                + "; stopped before the update. The last good checkpoint is "
                                + (lastCheckpoint == null ? "none (none was written yet)" : lastCheckpoint)
                                + "; lower trainer.lr or trainer.clip_norm and resume from it";
                        LOG.error(message);
                        break;
                    }
                    optimizer.update(r.grads(), lr);
                    if (tc.trainsAll() || tc.trainable().contains("routers")) model.updateRouterBiases(r.tokensPerExpert());
                    metrics.add(r, norm, System.nanoTime() - begin, Pointer.physicalBytes());
                    losses.add(loss);
                    step = s;
                    boolean evaluate = s % tc.evalEvery() == 0 || s == tc.steps();
                    Evaluator.Report report = evaluate ? Evaluator.report(model, valBatches, cacheSizes) : null;
                    double val = evaluate ? report.valLoss() : Double.NaN;
                    if (evaluate) valLoss = val;
                    if (s % tc.logEvery() == 0 || evaluate || s == end) {
                        Map<String, Double> row = metrics.rowAndReset(s, lr, val, evaluate ? report.routing() : Map.of(),
                                (System.nanoTime() - t0) * 1e-9);
                        log.append(row);
                        LOG.info(summary(row, s));
                    }
                    if (s % tc.checkpointEvery() == 0 || s == end) lastCheckpoint = store.save(checkpoint(s));
                    progress.step(s, String.format("loss %.4f", loss));
                }
            }
            if (Files.exists(out.resolve(MetricsLog.CSV)) && !MetricsLog.readCsv(out.resolve(MetricsLog.CSV)).isEmpty()) {
                Plots.fromMetrics(out.resolve(MetricsLog.CSV), out.resolve("plots"));
            }
            if (message == null) {
                message = String.format("%s at step %d of %d; last val_loss %.4f; checkpoint %s", stop, step, tc.steps(),
                        valLoss, lastCheckpoint);
            }
            return new TrainResult(stop, step, losses, valLoss, lastCheckpoint, message);
        }

        /** Loads a checkpoint that {@link ResumePoint} verified and found compatible. */
        private long restore(Path dir, Checkpoint c) {
            state.load(c.params(), c.routerBiases(), dir.toString());
            optimizer.load(c.optimizer());
            if (c.step() > options.newDataAfter()) {
                try {
                    sampler.seek(GSON.fromJson(c.dataPosition(), DataPosition.class));
                } catch (IllegalArgumentException e) { // the data or a setting changed since the checkpoint
                    throw new BadInputException(e.getMessage(), e);
                }
            } else {
                LOG.info("the data was replaced after step {}: reading {} from its beginning", options.newDataAfter(),
                        cfg.data().dir());
            }
            LOG.info("resumed from {} (step {})", dir, c.step());
            return c.step();
        }

        private Checkpoint checkpoint(long step) {
            return new Checkpoint(step, state.paramTensors(), optimizer.state(), state.stateTensors(),
                    cfg.run().seed(), step, GSON.toJson(sampler.position()), ConfigLoader.toYaml(cfg), placementJson);
        }

        private String summary(Map<String, Double> row, long step) {
            StringBuilder sb = new StringBuilder("step ").append(step).append('/').append(tc.steps());
            for (String k : List.of("loss", "lm_loss", "group_aux", "intra_aux", "delib_cost", "distill_kl", "val_loss",
                    "grad_norm", "switch_rate", "set_switch_rate", "decision_rate", "val_set_switch_rate", "tokens_per_s",
                    "mfu", "imbalance", "rss_gb")) {
                Double v = row.get(k);
                if (v != null && !v.isNaN()) sb.append(' ').append(k).append(' ').append(String.format("%.4g", v));
            }
            return sb.toString();
        }
    }
}
