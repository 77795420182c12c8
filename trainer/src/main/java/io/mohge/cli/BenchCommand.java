package io.mohge.cli;

import io.mohge.model.bench.FfnBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure training tokens/s (forward + backward + update) of dense vs top-k MoE vs MoHGE FFNs "
                + "with equal expected active FFN width on a small LM (vocab 256, d 128, 2 layers).",
                "Models are measured in turn in every round; each line gives the median and best round. Run it on a "
                + "quiet machine; OMP_NUM_THREADS (the launcher sets 1) changes the figures."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps per round (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "16", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq", defaultValue = "128", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() {
        for (int v : new int[] {steps, batch, seq, rounds}) {
            if (v < 1) throw new IllegalArgumentException("--steps, --batch, --seq and --rounds must be 1 or more");
        }
        if (warmup < 0) throw new IllegalArgumentException("--warmup must be 0 or more");
        FfnBench.main(new String[] {Integer.toString(steps), Integer.toString(batch), Integer.toString(seq),
                Integer.toString(warmup), Integer.toString(rounds)});
        return 0;
    }
}
