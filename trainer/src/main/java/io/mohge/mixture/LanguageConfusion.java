package io.mohge.mixture;

import io.mohge.config.RunConfig;
import io.mohge.data.Corpus;
import io.mohge.data.Manifest;
import io.mohge.data.Split;
import io.mohge.merge.LanguageLabeler;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which router the documents of each language land in. The documents are the corpus's held-out ones: the validation
 * documents and, when data.max_corpus_bytes cut the corpus for training, every document after the cut. Each is
 * labelled with its language by {@link LanguageLabeler} (the optimaize language detector on its first 600
 * characters; {@code unknown} when the detector is not confident) and routed on its first M tokens, like a prompt.
 *
 * @param prefixTokens the routing prefix
 * @param counts       language -> documents per router
 * @param documents    documents counted
 */
public record LanguageConfusion(int prefixTokens, Map<String, int[]> counts, int documents) {

    /** Labels and routes up to {@code maxDocuments} held-out documents (0 = all). */
    public static LanguageConfusion of(Mixture mix, RunConfig cfg, Manifest prepared, int prefixTokens, int maxDocuments)
            throws IOException {
        LanguageLabeler labeler = new LanguageLabeler();
        long trained = prepared.documentsTrain() + prepared.documentsVal();
        double valFraction = cfg.data().valFraction();
        List<String> labels = new ArrayList<>();
        List<int[]> full = new ArrayList<>();
        List<String> fullLabels = new ArrayList<>();
        List<int[]> shortDocs = new ArrayList<>();
        List<String> shortLabels = new ArrayList<>();
        long[] index = {0};
        try {
            new Corpus(cfg.data().corpus(), 0, new Configuration()).forEach(doc -> {
                long i = index[0]++;
                if (i < trained && Split.of(i, valFraction) != Split.VAL) return;
                if (maxDocuments > 0 && labels.size() >= maxDocuments) throw new Done();
                String label = labeler.label(doc);
                labels.add(label);
                int[] tokens = mix.tokenizer().encode(doc);
                if (tokens.length >= prefixTokens) {
                    full.add(Arrays.copyOf(tokens, prefixTokens));
                    fullLabels.add(label);
                } else {
                    shortDocs.add(tokens);
                    shortLabels.add(label);
                }
            });
        } catch (Done enough) {
            // maxDocuments reached
        }
        Map<String, int[]> counts = new TreeMap<>();
        int[] routed = full.isEmpty() ? new int[0] : mix.route(full.toArray(int[][]::new), prefixTokens);
        for (int i = 0; i < routed.length; i++) counts.computeIfAbsent(fullLabels.get(i), k -> new int[mix.size()])[routed[i]]++;
        for (int i = 0; i < shortDocs.size(); i++) {
            int r = mix.route(shortDocs.get(i)).expert();
            counts.computeIfAbsent(shortLabels.get(i), k -> new int[mix.size()])[r]++;
        }
        return new LanguageConfusion(prefixTokens, counts, labels.size());
    }

    /** Purity: the share of documents that land in the router most of their language lands in. */
    public double purity() {
        int best = 0;
        int all = 0;
        for (int[] row : counts.values()) {
            best += Arrays.stream(row).max().orElse(0);
            all += Arrays.stream(row).sum();
        }
        return all == 0 ? Double.NaN : (double) best / all;
    }

    /** A Markdown table: one row per language, one column per router, each row's largest share in bold. */
    public String markdown() {
        int r = counts.values().stream().findFirst().map(a -> a.length).orElse(0);
        StringBuilder sb = new StringBuilder("| language | documents |");
        for (int k = 0; k < r; k++) sb.append(" router ").append(k).append(" |");
        sb.append("\n|---|---:|").append("---:|".repeat(r)).append('\n');
        counts.entrySet().stream()
                .sorted((a, b) -> Integer.compare(Arrays.stream(b.getValue()).sum(), Arrays.stream(a.getValue()).sum()))
                .forEach(e -> {
                    int[] row = e.getValue();
                    int total = Arrays.stream(row).sum();
                    int max = Arrays.stream(row).max().orElse(0);
                    sb.append("| ").append(e.getKey()).append(" | ").append(total).append(" |");
                    for (int v : row) {
                        String cell = String.format(Locale.ROOT, "%.0f%%", 100.0 * v / total);
                        sb.append(' ').append(v == max ? "**" + cell + "**" : cell).append(" |");
                    }
                    sb.append('\n');
                });
        return sb.toString();
    }

    /** Ends the corpus pass early. */
    private static final class Done extends RuntimeException {
        Done() {
            super(null, null, false, false);
        }
    }
}
