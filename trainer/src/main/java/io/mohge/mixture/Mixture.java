package io.mohge.mixture;

import io.mohge.config.BadInputException;
import io.mohge.config.RunConfig;
import io.mohge.data.TextTokenizer;
import io.mohge.engine.Transformer;
import io.mohge.export.Exporter;
import io.mohge.export.HfTokenizer;
import io.mohge.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained mixture at inference: every router scores the prompt's first M tokens and the expert of the best router
 * (highest log-likelihood; ties to the lower index) generates or scores the whole sequence. A prompt shorter than
 * M is routed on the tokens it has; a one-token prompt has no prediction to score and goes to expert 0.
 */
public final class Mixture {

    private static final Logger LOG = LoggerFactory.getLogger(Mixture.class);

    /**
     * A routing decision.
     *
     * @param expert the chosen expert
     * @param scores every router's log-likelihood of the prefix
     */
    public record Routing(int expert, double[] scores) { }

    private final List<LmWeights> routers;
    private final List<LmWeights> experts;
    private final int prefixTokens;
    private final TextTokenizer tokenizer;
    private final String source;
    private final Map<Long, PrefixScorer> scorers = new HashMap<>();
    private final Map<Integer, Transformer> expertModels = new HashMap<>();

    public Mixture(List<LmWeights> routers, List<LmWeights> experts, int prefixTokens, TextTokenizer tokenizer,
                   String source) {
        if (routers.size() != experts.size() || routers.size() < 2) {
            throw new IllegalArgumentException("mixture: " + routers.size() + " routers and " + experts.size()
                    + " experts; a mixture has R >= 2 of each");
        }
        int seqLen = experts.get(0).config().seqLen();
        for (LmWeights e : experts) {
            if (e.config().seqLen() != seqLen || e.config().vocabSize() != tokenizer.vocabSize()) {
                throw new BadInputException("mixture: " + e.source() + " has seq_len " + e.config().seqLen()
                        + " and vocabulary " + e.config().vocabSize() + ", unlike the rest of the mixture");
            }
        }
        this.routers = List.copyOf(routers);
        this.experts = List.copyOf(experts);
        this.prefixTokens = prefixTokens;
        this.tokenizer = tokenizer;
        this.source = source;
    }

    /** The mixture of a run: the newest checkpoint of every router and every expert. */
    public static Mixture fromRun(RunConfig cfg) throws IOException {
        Members.check(cfg);
        RouterEm.finalAssignment(cfg);
        MixtureLayout layout = MixtureLayout.of(cfg);
        List<LmWeights> routers = new ArrayList<>();
        List<LmWeights> experts = new ArrayList<>();
        for (int r = 0; r < cfg.mixture().experts(); r++) {
            routers.add(LmWeights.fromCheckpoint(newest(Members.router(cfg, layout, r, 1), "router " + r)));
            RunConfig expert = Members.expert(cfg, layout, r);
            LmWeights e = LmWeights.fromCheckpoint(newest(expert, "expert " + r));
            if (e.step() < expert.trainer().steps()) {
                LOG.warn("expert {} is at step {} of {} (training was paused)", r, e.step(), expert.trainer().steps());
            }
            experts.add(e);
        }
        return new Mixture(routers, experts, cfg.mixture().prefixTokens(), Exporter.tokenizer(cfg.data(), cfg.model()),
                "run " + layout.outDir());
    }

    /** An exported mixture ({@value MixtureManifest#FILE} and the exports it lists). */
    public static Mixture fromExport(Path dir) throws IOException {
        MixtureManifest m = MixtureManifest.read(dir);
        List<LmWeights> routers = new ArrayList<>();
        List<LmWeights> experts = new ArrayList<>();
        for (String d : m.routerDirs()) routers.add(LmWeights.fromExport(dir.resolve(d)));
        for (String d : m.expertDirs()) experts.add(LmWeights.fromExport(dir.resolve(d)));
        return new Mixture(routers, experts, m.prefixTokens(), HfTokenizer.read(dir.resolve(m.tokenizer())),
                "export " + dir);
    }

    static Path newest(RunConfig member, String what) throws IOException {
        return Trainer.latestCheckpoint(member).orElseThrow(() -> new BadInputException("run.out_dir: " + what
                + " has no checkpoint under " + Trainer.checkpointRoot(member) + "; train it first (mohge smalltalk "
                + (what.startsWith("router") ? "train-routers" : "train-experts") + ")"));
    }

    public int size() {
        return experts.size();
    }

    public int prefixTokens() {
        return prefixTokens;
    }

    public int seqLen() {
        return experts.get(0).config().seqLen();
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public String source() {
        return source;
    }

    public LmWeights router(int r) {
        return routers.get(r);
    }

    public LmWeights expertWeights(int r) {
        return experts.get(r);
    }

    /** Routes one prompt on its first M tokens. */
    public Routing route(int[] prompt) {
        double[] scores = new double[size()];
        for (int r = 0; r < size(); r++) scores[r] = scorer(r, prefixTokens).scorePrompt(prompt);
        return new Routing(argmax(scores), scores);
    }

    /**
     * Routes many sequences on their first {@code tokens} tokens (each prefix exactly that long).
     *
     * @return the expert of every prefix
     */
    public int[] route(int[][] prefixes, int tokens) {
        double[][] scores = new double[prefixes.length][size()];
        for (int r = 0; r < size(); r++) {
            double[] s = scorer(r, tokens).score(prefixes);
            for (int i = 0; i < s.length; i++) scores[i][r] = s[i];
        }
        int[] out = new int[prefixes.length];
        for (int i = 0; i < out.length; i++) out[i] = argmax(scores[i]);
        return out;
    }

    /** Expert r's model at its trained sequence length (built once). */
    public Transformer expert(int r) {
        return expertModels.computeIfAbsent(r, k -> experts.get(k).model());
    }

    private PrefixScorer scorer(int r, int tokens) {
        if (tokens > routers.get(r).config().seqLen()) {
            throw new BadInputException("--prefix-tokens: " + tokens + " is longer than the routers' sequences ("
                    + routers.get(r).config().seqLen() + " tokens)");
        }
        return scorers.computeIfAbsent(((long) r << 32) | tokens, k -> new PrefixScorer(routers.get(r), tokens));
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
