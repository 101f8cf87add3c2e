package org.gproc.client.internal.inventory;

import java.util.Collection;

import org.gproc.transport.text.EditDistance;

/** "did you mean" for misspelt keys, by edit distance. */
final class Suggest {
    private Suggest() {
    }

    /** " (did you mean 'x'?)" when a known word is close, else " (" + fallback + ")". */
    static String hint(String word, Collection<String> known, String fallback) {
        String suggestion = didYouMean(word, known);
        return suggestion.isEmpty() ? " (" + fallback + ")" : suggestion;
    }

    static String didYouMean(String word, Collection<String> known) {
        return EditDistance.didYouMean(word, known).map(hint -> " " + hint).orElse("");
    }

}
