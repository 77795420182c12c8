package io.mohge.mixture;

import io.mohge.config.RunConfig;
import io.mohge.files.AtomicFiles;
import io.mohge.export.Exporter;
import io.mohge.export.HfTokenizer;
import io.mohge.train.CheckpointStore;
import io.mohge.config.ExportConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Exports a trained mixture into one directory:
 * <pre>
 *   mixture.json            the manifest ({@link MixtureManifest}), written last
 *   tokenizer.json          the shared tokenizer
 *   routers/router-R/       router R's newest checkpoint as an ordinary export (docs/export.md)
 *   experts/expert-R/       expert R's newest checkpoint as an ordinary export
 * </pre>
 * Every member can be served on its own by the export's PyTorch code; {@code mohge smalltalk generate --export} and
 * {@code eval --export} read the whole mixture back.
 */
public final class MixtureExport {

    private MixtureExport() { }

    public static MixtureManifest export(RunConfig cfg, Path out) throws IOException {
        Members.check(cfg);
        EmState state = EmState.read(MixtureLayout.of(cfg).emState());
        RouterEm.finalAssignment(cfg);
        MixtureLayout layout = MixtureLayout.of(cfg);
        ExportConfig export = cfg.export();
        Files.createDirectories(out);
        Files.deleteIfExists(out.resolve(MixtureManifest.FILE));   // a partial export is never mistaken for a whole one
        List<String> routerDirs = new ArrayList<>();
        List<String> expertDirs = new ArrayList<>();
        List<Long> routerSteps = new ArrayList<>();
        List<Long> expertSteps = new ArrayList<>();
        for (int r = 0; r < cfg.mixture().experts(); r++) {
            Path router = Mixture.newest(Members.router(cfg, layout, r, 1), "router " + r);
            Path expert = Mixture.newest(Members.expert(cfg, layout, r), "expert " + r);
            routerDirs.add("routers/router-" + r);
            expertDirs.add("experts/expert-" + r);
            Exporter.export(router, out.resolve(routerDirs.get(r)), export);
            Exporter.export(expert, out.resolve(expertDirs.get(r)), export);
            routerSteps.add(CheckpointStore.stepOf(router));
            expertSteps.add(CheckpointStore.stepOf(expert));
        }
        AtomicFiles.write(out.resolve(Exporter.TOKENIZER),
                HfTokenizer.json(Exporter.tokenizer(cfg.data(), cfg.model())).toString().getBytes(StandardCharsets.UTF_8));
        MixtureManifest m = new MixtureManifest(MixtureManifest.FORMAT, MixtureManifest.METHOD, cfg.mixture().experts(),
                cfg.mixture().prefixTokens(), cfg.model().seqLen(), routerDirs, expertDirs, Exporter.TOKENIZER,
                cfg.mixture().balance().name().toLowerCase(java.util.Locale.ROOT), state.roundsDone(), state.stopped(),
                routerSteps, expertSteps, Compute.of(cfg));
        AtomicFiles.write(out.resolve(MixtureManifest.FILE), m.toJson());
        return m;
    }
}
