package io.mohge.mixture;

import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A tiny two-language corpus and mixture config for tests: lines of Latin-script words and lines of Greek words,
 * shuffled, so routers that cluster well split the sequences by script. Experts: d 32, 1 layer, 32-token
 * sequences; routers: d 16, 16-token sequences, routed on 8-token prefixes.
 */
public final class TinyMixture {

    static final String[] LATIN = {"the", "parliament", "votes", "on", "a", "report", "about", "fish", "and", "energy",
            "policy", "members", "debate", "today", "budget"};
    static final String[] GREEK = {"το", "κοινοβούλιο", "ψηφίζει", "για", "την", "έκθεση", "σχετικά", "με", "αλιεία",
            "και", "ενέργεια", "πολιτική", "μέλη", "σήμερα", "προϋπολογισμός"};

    private TinyMixture() { }

    public static Path writeCorpus(Path file) throws IOException {
        Random r = new Random(5);
        StringBuilder sb = new StringBuilder();
        for (int line = 0; line < 700; line++) {
            String[] words = r.nextBoolean() ? LATIN : GREEK;
            int n = 6 + r.nextInt(8);
            for (int w = 0; w < n; w++) sb.append(w == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
            sb.append(".\n");
        }
        Files.writeString(file, sb.toString());
        return file;
    }

    public static RunConfig config(Path corpus, Path dataDir, Path outDir, String... sets) throws IOException {
        Path yaml = outDir.resolveSibling(outDir.getFileName() + ".yaml");
        Files.createDirectories(yaml.getParent());
        Files.writeString(yaml, """
                run:
                  name: tiny-st
                  seed: 3
                  out_dir: %s
                model:
                  vocab_size: 256
                  d_model: 32
                  n_layers: 1
                  n_heads: 2
                  seq_len: 32
                  ffn: dense
                  dense:
                    width: 64
                data:
                  corpus: %s
                  dir: %s
                  val_fraction: 0.1
                  shard_tokens: 4096
                trainer:
                  steps: 10
                  batch_size: 8
                  lr: 1.0e-2
                  min_lr: 1.0e-3
                  warmup_steps: 2
                  log_every: 5
                  eval_every: 10
                  eval_batches: 2
                  checkpoint_every: 5
                  keep_checkpoints: 3
                export:
                  on_finish: false
                mixture:
                  experts: 2
                  prefix_tokens: 8
                  em_rounds: 3
                  router:
                    model:
                      d_model: 16
                      n_layers: 1
                      n_heads: 2
                      seq_len: 16
                      dense:
                        width: 32
                    trainer:
                      steps: 10
                      batch_size: 8
                      lr: 1.0e-2
                      min_lr: 1.0e-3
                      warmup_steps: 2
                      log_every: 5
                      eval_every: 10
                      eval_batches: 2
                      checkpoint_every: 5
                      keep_checkpoints: 3
                """.formatted(outDir, corpus, dataDir));
        return ConfigLoader.load(yaml, List.of(), List.of(sets));
    }

    /** Copies a directory tree (a routed run, to train its experts in another place). */
    public static void copyTree(Path from, Path to) {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the first bytes of a sequence are Greek (UTF-8 lead bytes 0xCE / 0xCF) more than Latin letters. */
    public static boolean greek(int[] tokens) {
        int g = 0;
        int l = 0;
        for (int t : tokens) {
            if (t == 0xCE || t == 0xCF) g++;
            else if (t >= 'a' && t <= 'z') l++;
        }
        return g > l / 2;
    }
}
