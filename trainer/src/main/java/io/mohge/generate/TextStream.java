package io.mohge.generate;

import io.mohge.data.TextTokenizer;

import java.io.PrintWriter;

/** Writes generated tokens as text the moment they complete a character, flushing after each. */
public final class TextStream {

    private final TextTokenizer tokenizer;
    private final PrintWriter out;
    private final Utf8Stream utf8 = new Utf8Stream();

    public TextStream(TextTokenizer tokenizer, PrintWriter out) {
        this.tokenizer = tokenizer;
        this.out = out;
    }

    public void write(String text) {
        out.print(text);
        out.flush();
    }

    public void token(int id) {
        out.print(utf8.push(tokenizer.tokenBytes(id)));
        out.flush();
    }

    public void finish() {
        out.println(utf8.finish());
        out.flush();
    }
}
