package org.gproc.transport.text;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The one "did you mean" of the project: edit distance (a swap of neighbours is one edit) and the nearest known word within reach. Every unknown
 * verb, signal, setting, command or flag is matched by the same rule, so a typo is forgiven (or not) the same way
 * whether the daemon, the inventory reader, the REPL or a benchmark flag parser answers.
 */
public final class EditDistance {

    private EditDistance() {
    }

    /**
     * Edits between {@code a} and {@code b}: insertions, deletions, substitutions, and swaps of two neighbouring
     * letters (optimal string alignment), since a swap ('vai' for 'via') is the commonest typo of all.
     */
    public static int between(String a, String b) {
        int[] beforePrevious = new int[b.length() + 1];
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                int best = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    best = Math.min(best, beforePrevious[j - 2] + 1);
                }
                current[j] = best;
            }
            int[] oldest = beforePrevious;
            beforePrevious = previous;
            previous = current;
            current = oldest;
        }
        return previous[b.length()];
    }

    /**
     * The known word nearest to {@code word}, ignoring case, if it is close enough to be a typo of it: at most one
     * edit for words of up to three letters, two for longer ones, and never as many edits as {@code word} has
     * letters (so 'x' is not "nearly" 'id'). Ties go to the word sharing more letters ('TREM' is TERM, not TRAP).
     */
    public static Optional<String> nearest(String word, Collection<String> known) {
        String typed = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int bestCommon = -1;
        for (String candidate : known) {
            String k = candidate.toLowerCase(Locale.ROOT);
            int d = between(typed, k);
            int common = d <= bestDistance ? commonLetters(typed, k) : 0;
            if (d < bestDistance || d == bestDistance && common > bestCommon) {
                best = candidate;
                bestDistance = d;
                bestCommon = common;
            }
        }
        if (best == null || bestDistance >= word.length()
                || bestDistance > Math.max(1, Math.min(2, best.length() / 2))) {
            return Optional.empty();
        }
        return Optional.of(best);
    }

    /** {@code (did you mean 'kill'?)} when a known word is near {@code word}. */
    public static Optional<String> didYouMean(String word, Collection<String> known) {
        return nearest(word, known).map(near -> "(did you mean '" + near + "'?)");
    }

    private static int commonLetters(String a, String b) {
        int[] counts = new int[128];
        b.chars().filter(c -> c < 128).forEach(c -> counts[c]++);
        int common = 0;
        for (char c : a.toCharArray()) {
            if (c < 128 && counts[c]-- > 0) {
                common++;
            }
        }
        return common;
    }
}
