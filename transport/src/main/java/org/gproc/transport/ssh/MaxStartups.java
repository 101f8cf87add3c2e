package org.gproc.transport.ssh;

/**
 * OpenSSH's MaxStartups, as sshd_config spells it: {@code START:RATE:FULL} (e.g. {@code 10:30:100}) or one number
 * {@code N} (= {@code N:100:N}, a hard cap). With {@code start} or more connections waiting for authentication, a
 * new one is dropped with probability {@code rate}%, rising linearly to 100% at {@code full}; below {@code start}
 * none is. A flood therefore slows new clients down but, until it reaches {@code full}, never shuts them all out.
 */
public record MaxStartups(int start, int rate, int full) {

    public MaxStartups {
        if (start < 1 || full < start || rate < 1 || rate > 100) {
            throw new IllegalArgumentException("max startups " + start + ":" + rate + ":" + full + " must have"
                    + " 1 <= START <= FULL and RATE between 1 and 100");
        }
    }

    /** A hard cap of {@code n}: no random drop below it, every connection above. */
    public static MaxStartups of(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("max startups must be at least 1, not " + n);
        }
        return new MaxStartups(n, 100, n);
    }

    /** {@code N} or {@code START:RATE:FULL}; errors quote the text and name the form expected. */
    public static MaxStartups parse(String text) {
        String[] parts = text.trim().split(":", -1);
        try {
            if (parts.length == 1) {
                return of(Integer.parseInt(parts[0]));
            }
            if (parts.length == 3) {
                return new MaxStartups(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                        Integer.parseInt(parts[2]));
            }
        } catch (NumberFormatException e) {
            // the message below says what was expected
        }
        throw new IllegalArgumentException("'" + text + "' is neither N nor START:RATE:FULL (e.g. 10:30:100)");
    }

    /**
     * Whether a new connection is dropped when {@code waiting} are already unauthenticated, given {@code roll}, a
     * uniform random number in 0..99 (OpenSSH's formula).
     */
    boolean drops(int waiting, int roll) {
        if (waiting >= full) {
            return true;
        }
        if (waiting < start) {
            return false;
        }
        int p = rate + (100 - rate) * (waiting - start) / (full - start);
        return roll < p;
    }

    @Override
    public String toString() {
        return start == full && rate == 100 ? Integer.toString(full) : start + ":" + rate + ":" + full;
    }
}
