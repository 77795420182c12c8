package io.mohge.export;

import io.mohge.config.BadInputException;
import io.mohge.config.TrainerConfig;
import io.mohge.data.DataConfig;
import io.mohge.data.Prepare;
import io.mohge.data.TokenDataset;
import io.mohge.train.Evaluator;
import io.mohge.train.ValidationSplit;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code mohge eval --export DIR}: validation loss of an export, read back from its files. */
public final class ExportEvaluator {

    private ExportEvaluator() { }

    /** Mean LM loss of the export on the trainer's {@code eval_batches} validation batches of {@code dataConfig}. */
    public static Evaluator.Result evaluate(Path exportDir, DataConfig dataConfig, TrainerConfig trainer) throws IOException {
        ExportReader.ExportedModel exported = ExportReader.read(exportDir);
        if (exported.config().vocabSize() != dataConfig.vocabSize()) {
            throw new BadInputException("data.tokenizer: export " + exportDir + " has a vocabulary of "
                    + exported.config().vocabSize() + " tokens but the configured data has " + dataConfig.vocabSize()
                    + "; evaluate on data prepared with the tokenizer the model was trained on");
        }
        ExportLm lm = ExportLm.of(exported);
        Configuration hconf = new Configuration();
        Prepare.prepare(dataConfig, hconf);
        try (TokenDataset data = TokenDataset.open(dataConfig.dir(), hconf)) {
            int seqLen = exported.config().seqLen();
            List<int[][]> batches = ValidationSplit.batches(data, seqLen, trainer);
            if (batches.isEmpty()) throw new IllegalArgumentException("trainer.eval_batches: no validation batch to evaluate");
            double sum = 0;
            for (int[][] batch : batches) sum += lm.loss(batch);
            double loss = sum / batches.size();
            long tokens = (long) batches.size() * trainer.batchSize() * seqLen;
            return new Evaluator.Result(exported.step(), loss, Math.exp(loss), batches.size(), tokens, java.util.Map.of());
        }
    }
}
