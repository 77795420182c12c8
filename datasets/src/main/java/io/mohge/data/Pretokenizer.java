package io.mohge.data;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into chunks that BPE merges never cross (as in GPT-2's byte-level BPE, Radford et al. 2019):
 * an optional space followed by letters, or by digits, or by other symbols; or a run of whitespace.
 * Every character falls in one alternative, so the chunks concatenate back to the input exactly.
 */
final class Pretokenizer {

    private static final Pattern CHUNK = Pattern.compile(" ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+");

    private Pretokenizer() {}

    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = CHUNK.matcher(text);
        int expected = 0;
        while (m.find()) {
            if (m.start() != expected) throw new IllegalStateException("pretokenizer skipped text at " + expected);
            out.add(m.group());
            expected = m.end();
        }
        if (expected != text.length()) throw new IllegalStateException("pretokenizer skipped text at " + expected);
        return out;
    }
}
