package io.mohge.merge;

import com.google.common.base.Optional;
import com.optimaize.langdetect.LanguageDetector;
import com.optimaize.langdetect.LanguageDetectorBuilder;
import com.optimaize.langdetect.i18n.LdLocale;
import com.optimaize.langdetect.ngram.NgramExtractors;
import com.optimaize.langdetect.profiles.LanguageProfile;
import com.optimaize.langdetect.profiles.LanguageProfileReader;
import com.optimaize.langdetect.text.CommonTextObjectFactories;
import com.optimaize.langdetect.text.TextObjectFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Labels a document with its language, for the built-in demo's tasks (one task per Europarl language). A thin
 * wrapper over the optimaize language-detector (n-gram profiles of 71 languages, shipped in its jar), seeded so
 * that the labels are reproducible. Only the first {@value #PREFIX_CHARS} characters of a document are looked at:
 * Europarl documents are long and one language each, and the detector's cost grows with the text.
 */
public final class LanguageLabeler {

    /** Label of a document the detector is not confident about. */
    public static final String UNKNOWN = "unknown";
    static final int PREFIX_CHARS = 600;

    private final LanguageDetector detector;
    private final TextObjectFactory text = CommonTextObjectFactories.forDetectingOnLargeText();

    public LanguageLabeler() {
        try {
            List<LanguageProfile> profiles = new LanguageProfileReader().readAllBuiltIn();
            detector = LanguageDetectorBuilder.create(NgramExtractors.standard()).withProfiles(profiles).seed(42L).build();
        } catch (IOException e) {
            throw new UncheckedIOException("language-detector: cannot read its built-in language profiles", e);
        }
    }

    /** The ISO 639-1 code of the document's language (e.g. "de"), or {@value #UNKNOWN}. */
    public String label(String document) {
        String prefix = document.length() > PREFIX_CHARS ? document.substring(0, PREFIX_CHARS) : document;
        Optional<LdLocale> lang = detector.detect(text.forText(prefix));
        return lang.isPresent() ? lang.get().getLanguage() : UNKNOWN;
    }
}
