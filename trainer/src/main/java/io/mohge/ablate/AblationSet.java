package io.mohge.ablate;

import io.mohge.config.BadInputException;

import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A set of runs compared on the same data and budget ({@code configs/ablations/*.yaml}):
 * <pre>
 * base: configs/mohge-tiny.yaml        # every run starts from this config
 * out_dir: runs/ablations/tiny          # one sub-directory per run, plus results.md and plots
 * set:                                  # applied to every run (the shared budget), as --set
 *   trainer.steps: 200
 * seeds: [1, 2, 3]                      # optional: every run once per seed (run.seed), in out_dir/NAME/seed-S
 * reference: mohge                      # optional: the run the others are compared with (default: the first)
 * runs:
 *   - name: moe
 *     overrides: [configs/ffn/moe.yaml] # optional override files, relative to the working directory
 *     set: {model.moe.top_k: 2}         # optional per-run --set values
 * </pre>
 * Paths are resolved against the working directory, like the CLI's --config.
 *
 * @param seeds     the seeds each run is trained with; empty: once, with the base config's seed, in out_dir/NAME
 * @param reference the name of the run every other run is compared with
 */
public record AblationSet(Path file, Path base, Path outDir, Map<String, String> shared, List<Run> runs,
                          List<Long> seeds, String reference) {

    /** One run of the set. */
    public record Run(String name, List<Path> overrides, Map<String, String> set) { }

    /** One training job: a run with one seed ({@code null}: the base config's seed) in its own directory. */
    public record Job(Run run, Long seed, Path dir) {
        public String label() {
            return seed == null ? run.name() : run.name() + " seed " + seed;
        }
    }

    private static final Set<String> TOP_KEYS = Set.of("base", "out_dir", "set", "runs", "seeds", "reference");
    private static final Set<String> RUN_KEYS = Set.of("name", "overrides", "set");

    /** Reads and validates an ablation set; every error names the file and the entry. */
    public static AblationSet read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("Ablation set " + file + " not found; shipped sets are in configs/ablations/");
        }
        Object top;
        try {
            top = new Yaml().load(Files.readString(file));
        } catch (IOException | YAMLException e) {
            throw new BadInputException("Ablation set " + file + " cannot be read as YAML: "
                    + e.getMessage().replace('\n', ' '));
        }
        if (!(top instanceof Map<?, ?> map)) {
            throw new BadInputException(file + ": expected a mapping with keys base, out_dir, set, runs");
        }
        unknownKeys(file, "top level", map, TOP_KEYS);
        Path base = Path.of(string(file, "base", map.get("base")));
        Path out = Path.of(string(file, "out_dir", map.get("out_dir")));
        Map<String, String> shared = sets(file, "set", map.get("set"));
        Object runsRaw = map.get("runs");
        if (!(runsRaw instanceof List<?> list) || list.isEmpty()) {
            throw new BadInputException(file + ": runs must be a non-empty list of {name, overrides, set}");
        }
        List<Run> runs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> r)) {
                throw new BadInputException(file + ": runs[" + i + "] must be a mapping with a name");
            }
            String where = "runs[" + i + "]";
            unknownKeys(file, where, r, RUN_KEYS);
            String name = string(file, where + ".name", r.get("name"));
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new BadInputException(file + ": " + where + ".name '" + name
                        + "' must use letters, digits, '.', '_' or '-' (it names a directory)");
            }
            if (!names.add(name)) throw new BadInputException(file + ": run name '" + name + "' appears twice");
            List<Path> overrides = new ArrayList<>();
            Object o = r.get("overrides");
            if (o != null) {
                if (!(o instanceof List<?> ol)) {
                    throw new BadInputException(file + ": " + where + ".overrides must be a list of YAML paths");
                }
                for (Object p : ol) overrides.add(Path.of(string(file, where + ".overrides", p)));
            }
            runs.add(new Run(name, List.copyOf(overrides), sets(file, where + ".set", r.get("set"))));
        }
        List<Long> seeds = seeds(file, map.get("seeds"));
        String reference = runs.get(0).name();
        if (map.get("reference") != null) {
            reference = string(file, "reference", map.get("reference"));
            if (!names.contains(reference)) {
                throw new BadInputException(file + ": reference '" + reference + "' is not a run name; runs: "
                        + String.join(", ", runs.stream().map(Run::name).toList()));
            }
        }
        return new AblationSet(file, base, out, shared, List.copyOf(runs), seeds, reference);
    }

    /** Every (run, seed) job in order: runs in the set's order, each with all its seeds. */
    public List<Job> jobs() {
        List<Job> jobs = new ArrayList<>();
        for (Run run : runs) {
            if (seeds.isEmpty()) {
                jobs.add(new Job(run, null, outDir.resolve(run.name())));
            } else {
                for (Long seed : seeds) jobs.add(new Job(run, seed, outDir.resolve(run.name()).resolve("seed-" + seed)));
            }
        }
        return jobs;
    }

    /** The --set arguments of one job: the shared budget first, then the run's own values (which win). */
    public List<String> setArguments(Job job) {
        List<String> args = new ArrayList<>();
        shared.forEach((k, v) -> args.add(k + "=" + v));
        job.run().set().forEach((k, v) -> args.add(k + "=" + v));
        args.add("run.name=" + job.run().name());
        args.add("run.out_dir=" + job.dir());
        if (job.seed() != null) args.add("run.seed=" + job.seed());
        return args;
    }

    private static void unknownKeys(Path file, String where, Map<?, ?> map, Set<String> allowed) {
        for (Object k : map.keySet()) {
            if (!allowed.contains(String.valueOf(k))) {
                throw new BadInputException(file + ": unknown key '" + k + "' at " + where + "; allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private static String string(Path file, String key, Object value) {
        if (value == null || value instanceof Map || value instanceof List || String.valueOf(value).isBlank()) {
            throw new BadInputException(file + ": " + key + " must be a non-empty text value");
        }
        return String.valueOf(value);
    }

    private static List<Long> seeds(Path file, Object value) {
        if (value == null) return List.of();
        String fix = "; write e.g. seeds: [1, 2, 3]";
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            throw new BadInputException(file + ": seeds must be a non-empty list of whole numbers" + fix);
        }
        List<Long> seeds = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Integer || o instanceof Long)) {
                throw new BadInputException(file + ": seeds entry '" + o + "' is not a whole number" + fix);
            }
            long seed = ((Number) o).longValue();
            if (seeds.contains(seed)) throw new BadInputException(file + ": seed " + seed + " appears twice in seeds");
            seeds.add(seed);
        }
        return List.copyOf(seeds);
    }

    private static Map<String, String> sets(Path file, String key, Object value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value == null) return out;
        if (!(value instanceof Map<?, ?> m)) {
            throw new BadInputException(file + ": " + key + " must map config keys to values, e.g. {trainer.steps: 200}");
        }
        m.forEach((k, v) -> out.put(String.valueOf(k), v instanceof List<?> l ? l.toString() : String.valueOf(v)));
        return out;
    }
}
