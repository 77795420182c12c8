package io.mohge.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic synthetic multilingual documents (Latin with accents, Greek, Cyrillic, CJK, emoji, digits). */
final class TestCorpus {

    private static final String[] WORDS = {"the", "parliament", "commission", "vote", "Europa", "élection", "député",
        "Parlament", "Abstimmung", "ευρωπαϊκό", "κοινοβούλιο", "парламент", "голосование", "議会", "投票", "2004",
        "17,5%", "(A5-0123/2004)", "—", "naïve", "Ångström", "🇪🇺", "ça", "l’Union", "Straße"};

    private TestCorpus() {}

    static List<String> docs(int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 3 + r.nextInt(40);
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < len; w++) {
                if (w > 0) sb.append(r.nextInt(10) == 0 ? "   " : " ");
                sb.append(WORDS[r.nextInt(WORDS.length)]);
            }
            sb.append('.');
            out.add(sb.toString());
        }
        return out;
    }

    /** The corpus file text: one document per line, with blank lines and CRLF endings mixed in. */
    static String fileText(List<String> docs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < docs.size(); i++) {
            sb.append(docs.get(i)).append(i % 7 == 3 ? "\r\n" : "\n");
            if (i % 11 == 5) sb.append("\n   \n");
        }
        return sb.toString();
    }

    /** Expected byte-level token stream of one split: every document's UTF-8 bytes followed by newline (10). */
    static int[] expectedBytes(List<String> docs, Split split, double valFraction) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < docs.size(); i++) {
            if (Split.of(i, valFraction) == split) sb.append(docs.get(i)).append('\n');
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        int[] t = new int[b.length];
        for (int i = 0; i < b.length; i++) t[i] = b[i] & 0xFF;
        return t;
    }

    /** Text of one split: documents joined with trailing newlines. */
    static String expectedText(List<String> docs, Split split, double valFraction) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < docs.size(); i++) {
            if (Split.of(i, valFraction) == split) sb.append(docs.get(i)).append('\n');
        }
        return sb.toString();
    }
}
