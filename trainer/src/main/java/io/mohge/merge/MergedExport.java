package io.mohge.merge;

import io.mohge.config.BadInputException;
import io.mohge.tensors.SafetensorsWriter;

import io.mohge.allocation.ExpertLayout;
import io.mohge.allocation.Placement;
import io.mohge.allocation.PlacementStrategy;
import io.mohge.files.AtomicFiles;
import io.mohge.export.ExportReader.ExportedModel;
import io.mohge.export.Exporter;
import io.mohge.export.HfConfig;
import io.mohge.export.HfConfigReader;
import io.mohge.export.MergeReport;
import io.mohge.model.ModelConfig;
import io.mohge.tensors.DType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a merged model as an export that every export reader takes unchanged ({@code ExportReader},
 * {@code mohge eval --export}, {@code mohge generate --export}, the shipped {@code modeling_mohge.py}): the weights in
 * the source export's dtype, a {@code config.json} written by {@link HfConfig} for the merged model config plus a
 * {@code mohge_merge} object that says where it came from (the {@link MergeReport#summary()}), the source's tokenizer
 * and generation files, the current Python files, a placement of the merged experts with the source's strategy and
 * rank count when that still divides the experts (otherwise none), and the whole report as {@value MergeReport#FILE}.
 */
public final class MergedExport {

    private static final List<String> COPIED = List.of(Exporter.GENERATION_CONFIG, Exporter.TOKENIZER, Exporter.TOKENIZER_CONFIG);

    private MergedExport() { }

    /** What was written: tensors, parameters and whether a placement could be kept. */
    public record Written(Path dir, int tensors, long parameters, String placement) { }

    public static Written write(Path sourceDir, ExportedModel merged, Path out, MergeReport report) throws IOException {
        if (Files.exists(out) && Files.isSameFile(out, sourceDir)) {
            throw new BadInputException("--out: " + out + " is the source export; write the merged export to "
                    + "another directory");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new BadInputException("--out: " + out + " is an existing file, not a directory; give a directory "
                    + "(a missing one is created)");
        }
        HfConfig source = readConfig(sourceDir.resolve(Exporter.CONFIG));
        DType dtype = dtype(source, sourceDir);
        String tokenizerKind = source.tokenizerKind() != null ? source.tokenizerKind() : "byte";
        Files.createDirectories(out);
        int tensors = Exporter.writeModel(out, merged.params(), merged.routerBiases(), dtype, merged.step(),
                Map.of("mohge_merged_from", sourceDir.toAbsolutePath().normalize().toString()));
        HfConfig config = HfConfig.of(merged.config(), dtype, tokenizerKind, merged.step()).withMerge(report);
        Exporter.writeJson(out.resolve(Exporter.CONFIG), config.toJson());
        AtomicFiles.write(out.resolve(MergeReport.FILE), report.toJson().getBytes(StandardCharsets.UTF_8));
        for (String name : COPIED) {
            Path f = sourceDir.resolve(name);
            if (!Files.isRegularFile(f)) {
                throw new BadInputException("--export: " + f + " is missing; export the model again with mohge export");
            }
            AtomicFiles.write(out.resolve(name), Files.readAllBytes(f));
        }
        for (String name : Exporter.PYTHON_FILES) AtomicFiles.write(out.resolve(name), Exporter.pythonSource(name));
        String placement = placement(sourceDir.resolve(Exporter.PLACEMENT), merged.config(), out.resolve(Exporter.PLACEMENT));
        long parameters = merged.params().values().stream().mapToLong(t -> t.data().length).sum();
        return new Written(out, tensors, parameters, placement);
    }

    /** Bytes the weights take in memory when loaded in {@code dtype} (parameters and router biases). */
    public static long parameterBytes(ExportedModel m, DType dtype) {
        long n = m.params().values().stream().mapToLong(t -> t.data().length).sum()
                + m.routerBiases().values().stream().mapToLong(t -> t.data().length).sum();
        return n * SafetensorsWriter.bytesPerElement(dtype);
    }

    /** The dtype an export's weights are stored in (its config.json's torch_dtype). */
    public static DType dtype(Path exportDir) throws IOException {
        return dtype(readConfig(exportDir.resolve(Exporter.CONFIG)), exportDir);
    }

    private static DType dtype(HfConfig config, Path dir) {
        String name = config.torchDtype() == null ? "float32" : config.torchDtype();
        return switch (name) {
            case "float32" -> DType.F32;
            case "float16" -> DType.F16;
            case "bfloat16" -> DType.BF16;
            default -> throw new BadInputException("export: " + dir.resolve(Exporter.CONFIG) + ": key torch_dtype: "
                    + name + " is not float32, float16 or bfloat16");
        };
    }

    private static String placement(Path sourcePlacement, ModelConfig merged, Path target) throws IOException {
        if (!Files.isRegularFile(sourcePlacement)) {
            Files.deleteIfExists(target);
            return "none (the source export has no placement.json)";
        }
        Placement old;
        try {
            old = Placement.load(sourcePlacement);
        } catch (IllegalArgumentException e) { // the allocation module names the file and what is wrong with it
            throw new BadInputException("--export: " + e.getMessage() + "; export the model again with mohge export", e);
        }
        ExpertLayout layout = merged.ffn() == ModelConfig.FfnType.MOE
                ? ExpertLayout.uniform(merged.moe().experts(), merged.moe().width())
                : new ExpertLayout(merged.mohge().widths(), merged.mohge().expertsPerGroup());
        try {
            Placement p = PlacementStrategy.of(old.strategy()).place(layout, old.ranks());
            AtomicFiles.write(target, p.toJson().getBytes(StandardCharsets.UTF_8));
            return p.strategyName() + " on " + p.ranks() + " ranks";
        } catch (IllegalArgumentException e) {
            Files.deleteIfExists(target);
            return "none (" + e.getMessage() + ")";
        }
    }

    private static HfConfig readConfig(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("--export: " + file + " is missing; pass the directory written by mohge export");
        }
        return HfConfigReader.readConfig(file);
    }
}
