package io.mohge.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns byte-level BPE merges (Sennrich et al. 2016) from documents.
 *
 * <p>Documents are pretokenized ({@link Pretokenizer}) and identical chunks counted once with their frequency.
 * Each step merges the most frequent adjacent pair (ties: smallest left id, then smallest right id, so training
 * is deterministic), until the vocabulary reaches the target or no pair occurs at least twice. Pair counts are
 * updated incrementally for the chunks that contain the merged pair; a lazy max-heap finds the best pair.
 */
public final class BpeTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(BpeTrainer.class);

    private final Map<String, long[]> chunkCounts = new HashMap<>();

    /** Counts the chunks of one document. */
    public void addDocument(String doc) {
        for (String chunk : Pretokenizer.split(doc)) chunkCounts.computeIfAbsent(chunk, k -> new long[1])[0]++;
    }

    /** Learns merges until {@code vocabSize} ids exist or no pair occurs twice (then the vocabulary is smaller). */
    public BpeTokenizer train(int vocabSize) {
        int n = chunkCounts.size();
        int[][] words = new int[n][];
        long[] freq = new long[n];
        int w = 0;
        for (Map.Entry<String, long[]> e : chunkCounts.entrySet()) {
            byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
            words[w] = new int[b.length];
            for (int i = 0; i < b.length; i++) words[w][i] = b[i] & 0xFF;
            freq[w++] = e.getValue()[0];
        }
        Map<Long, Long> pairCount = new HashMap<>();
        Map<Long, List<Integer>> pairWords = new HashMap<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j + 1 < words[i].length; j++) {
                long k = BpeTokenizer.key(words[i][j], words[i][j + 1]);
                pairCount.merge(k, freq[i], Long::sum);
                index(pairWords, k, i);
            }
        }
        // Heap entries {count, pair}: highest count first, then smallest pair key. An entry may be stale (the
        // pair's count has dropped since): it is then re-queued with the current count when it surfaces, so the
        // first up-to-date entry popped is the true maximum.
        PriorityQueue<long[]> heap = new PriorityQueue<>((x, y) -> x[0] != y[0] ? Long.compare(y[0], x[0])
                : Long.compare(x[1], y[1]));
        pairCount.forEach((k, c) -> heap.add(new long[] {c, k}));
        List<int[]> merges = new ArrayList<>();
        int[] seen = new int[n];
        while (256 + merges.size() < vocabSize) {
            long[] top = heap.poll();
            while (top != null && pairCount.getOrDefault(top[1], 0L) != top[0]) {
                long current = pairCount.getOrDefault(top[1], 0L);
                if (current > 0 && current < top[0]) heap.add(new long[] {current, top[1]});
                top = heap.poll();
            }
            if (top == null || top[0] < 2) break;
            int a = (int) (top[1] >>> 32);
            int b = (int) top[1];
            int id = 256 + merges.size();
            merges.add(new int[] {a, b});
            Map<Long, Long> delta = new HashMap<>();
            for (int wi : java.util.Objects.requireNonNullElse(pairWords.remove(top[1]), List.<Integer>of())) {
                if (seen[wi] == id) continue;
                seen[wi] = id;
                int[] old = words[wi];
                int[] sym = old.clone();
                int len = BpeTokenizer.mergeInPlace(sym, sym.length, a, b, id);
                if (len == old.length) continue;
                for (int j = 0; j + 1 < old.length; j++) delta.merge(BpeTokenizer.key(old[j], old[j + 1]), -freq[wi], Long::sum);
                words[wi] = java.util.Arrays.copyOf(sym, len);
                for (int j = 0; j + 1 < len; j++) {
                    long k = BpeTokenizer.key(sym[j], sym[j + 1]);
                    delta.merge(k, freq[wi], Long::sum);
                    if (sym[j] == id || sym[j + 1] == id) index(pairWords, k, wi);
                }
            }
            for (Map.Entry<Long, Long> d : delta.entrySet()) {
                if (d.getValue() == 0) continue;
                long c = pairCount.getOrDefault(d.getKey(), 0L) + d.getValue();
                if (c <= 0) {
                    pairCount.remove(d.getKey());
                    pairWords.remove(d.getKey());
                } else {
                    pairCount.put(d.getKey(), c);
                    if (d.getValue() > 0) heap.add(new long[] {c, d.getKey()});
                }
            }
        }
        if (256 + merges.size() < vocabSize) {
            LOG.warn("BPE: corpus supports only {} merges (no pair occurs twice any more); vocabulary is {} instead of {}",
                    merges.size(), 256 + merges.size(), vocabSize);
        }
        return new BpeTokenizer(merges);
    }

    /** Records that word {@code w} contains pair {@code k} (consecutive duplicates skipped). */
    private static void index(Map<Long, List<Integer>> pairWords, long k, int w) {
        List<Integer> ws = pairWords.computeIfAbsent(k, x -> new ArrayList<>());
        if (ws.isEmpty() || ws.get(ws.size() - 1) != w) ws.add(w);
    }
}
