package io.mohge.data;

import java.io.IOException;

/**
 * A shard, tokenizer file or manifest is missing, truncated, corrupt, of another format version or inconsistent
 * with the manifest. The message names the file, says what is wrong and how to fix it.
 */
public class ShardFormatException extends IOException {

    private final String file;
    private final String problem;

    public ShardFormatException(String file, String problem) {
        super(file + ": " + problem + "; the prepared dataset is damaged or stale, re-run `mohge prepare` "
                + "(with --overwrite if it refuses) to rebuild it");
        this.file = file;
        this.problem = problem;
    }

    /** The damaged file. */
    public String file() { return file; }

    /** What is wrong with it, without the advice. */
    public String problem() { return problem; }
}
