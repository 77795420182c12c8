package io.mohge.mixture;

import io.mohge.config.RunConfig;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the parts of a mixture live. Under {@code run.out_dir} (local, like every run directory):
 * <pre>
 *   routers/router-R/         the run directory of router R (checkpoints, metrics, plots), all EM rounds
 *   em/state.json             the EM's progress: rounds done, sequences changed per round, why it stopped
 *   em/assignment-KKK.bin     the assignment after round K (K = 0: the random balanced start)
 *   experts/expert-R/         the run directory of expert R
 * </pre>
 * and under {@code mixture.data_dir} (default {@code <run.out_dir>/data}; any Hadoop URI):
 * <pre>
 *   routers/round-KKK/router-R/  the sequences router R trains on in round K (their first router seq_len tokens)
 *   experts/expert-R/            the final partition: the sequences expert R trains on, whole
 * </pre>
 */
public record MixtureLayout(Path outDir, String dataDir) {

    /** The layout of {@code cfg}'s mixture. */
    public static MixtureLayout of(RunConfig cfg) {
        Path out = Path.of(cfg.run().outDir());
        String data = cfg.mixture().dataDir().isEmpty() ? out.resolve("data").toString() : cfg.mixture().dataDir();
        return new MixtureLayout(out, data);
    }

    public Path routerRun(int r) {
        return outDir.resolve("routers").resolve("router-" + r);
    }

    public Path expertRun(int r) {
        return outDir.resolve("experts").resolve("expert-" + r);
    }

    public Path emDir() {
        return outDir.resolve("em");
    }

    public Path emState() {
        return emDir().resolve("state.json");
    }

    public Path assignment(int round) {
        return emDir().resolve(String.format(Locale.ROOT, "assignment-%03d.bin", round));
    }

    /** The directory of round {@code round}'s router datasets (one sub-directory per router). */
    public String routerRoundData(int round) {
        return child(child(dataDir, "routers"), String.format(Locale.ROOT, "round-%03d", round));
    }

    public String routerData(int round, int r) {
        return child(routerRoundData(round), "router-" + r);
    }

    public String expertData(int r) {
        return child(child(dataDir, "experts"), "expert-" + r);
    }

    private static String child(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }
}
