package io.mohge.bench;

import com.google.gson.Gson;
import io.mohge.config.BadInputException;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.json.JsonRecords;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The eager-PyTorch reference for the same run config: {@code bench/torch_anchor.py} (the export's plain-PyTorch
 * model, trained one-threaded with sparse dispatch, AdamW and clipping) run as a child process; it prints one
 * JSON line with its median tokens/s. Its figures are only comparable when torch uses OpenBLAS
 * (package libopenblas0-pthread); the JSON names the BLAS library.
 */
public final class TorchAnchor {

    /** One measurement: median tokens/s and the BLAS library torch used. */
    public record Result(double tokensPerSecond, String blas) { }

    private final String python;
    private final Path script;

    private TorchAnchor(String python, Path script) {
        this.python = python;
        this.script = script;
    }

    /** Finds a Python with torch and the anchor script under {@code repo}, or explains what is missing. */
    public static TorchAnchor find(Path repo) throws IOException, InterruptedException {
        Path script = repo.resolve("bench").resolve("torch_anchor.py");
        if (!Files.isRegularFile(script)) {
            throw new BadInputException("--torch: " + script + " does not exist; run from the repository");
        }
        for (String python : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() == 0) return new TorchAnchor(python, script);
            } catch (IOException e) {
                // not installed: try the next interpreter
            }
        }
        throw new BadInputException("--torch: no Python with torch found; install Debian's python3-torch "
                + "(and libopenblas0-pthread, or torch runs on the 10x slower reference BLAS)");
    }

    /** Trains {@code cfg}'s model in PyTorch for {@code steps} timed steps after {@code warmup}. */
    public Result run(RunConfig cfg, int warmup, int steps) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--config", json(cfg),
                "--warmup", Integer.toString(warmup), "--steps", Integer.toString(steps)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("torch anchor failed:\n" + out);
        return parse(out);
    }

    /** The summary line bench/torch_anchor.py prints last (more keys than these two; the rest are ignored). */
    record Summary(Double tokensPerS, String blas) {
        Summary {
            JsonRecords.required(tokensPerS, "tokens_per_s");
            JsonRecords.required(blas, "blas");
        }
    }

    /** The result in the anchor's output, whose last line is its JSON summary. */
    static Result parse(String out) {
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        try {
            Summary s = JsonRecords.read(last, Summary.class);
            return new Result(s.tokensPerS(), s.blas());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("torch anchor: its last output line is not the JSON summary ("
                    + e.getMessage() + "):\n" + out, e);
        }
    }

    /** The run's model, trainer and losses sections as JSON, in YAML key names. */
    @SuppressWarnings("unchecked")
    static String json(RunConfig cfg) {
        Map<String, Object> all = new Yaml().load(ConfigLoader.toYaml(cfg));
        Map<String, Object> trainer = new LinkedHashMap<>((Map<String, Object>) all.get("trainer"));
        trainer.keySet().retainAll(List.of("batch_size", "lr", "weight_decay", "beta1", "beta2", "eps", "clip_norm"));
        Map<String, Object> losses = new LinkedHashMap<>((Map<String, Object>) all.get("losses"));
        losses.keySet().retainAll(List.of("group_coef", "group_interval", "intra_coef"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", all.get("model"));
        out.put("trainer", trainer);
        out.put("losses", losses);
        return new Gson().toJson(out);
    }
}
