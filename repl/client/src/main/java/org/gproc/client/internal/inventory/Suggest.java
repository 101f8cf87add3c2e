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
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = EditDistance.between(word.toLowerCase(), k.toLowerCase());
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, best.length() / 3) && bestDistance < word.length() ? " (did you mean '" + best + "'?)" : "";
    }

}
