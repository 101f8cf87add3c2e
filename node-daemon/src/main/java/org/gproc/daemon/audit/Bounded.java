package org.gproc.daemon.audit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Caps what one audit field may cost, whoever chose its value: a string keeps its first {@value #MAX_STRING_BYTES}
 * bytes of UTF-8 (cut on a character boundary) followed by {@code …[cut: N bytes]}, a list or map its first
 * {@value #MAX_ITEMS} items followed by {@code …[N more]}. A refused login's 250 KB user name is then a 256-byte
 * field, and no line is much longer than a few dozen kilobytes. Escaping is {@link org.gproc.transport.text.Json}'s.
 */
final class Bounded {
    static final int MAX_STRING_BYTES = 256;
    static final int MAX_ITEMS = 64;

    private Bounded() {
    }

    static Object value(Object value) {
        if (value instanceof CharSequence s) {
            return text(s.toString());
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            int n = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (n++ == MAX_ITEMS) {
                    out.put("…", "[" + (map.size() - MAX_ITEMS) + " more]");
                    break;
                }
                out.put(text(String.valueOf(e.getKey())), value(e.getValue()));
            }
            return out;
        }
        if (value instanceof Collection<?> items) {
            List<Object> out = new ArrayList<>(Math.min(items.size(), MAX_ITEMS + 1));
            for (Object item : items) {
                if (out.size() == MAX_ITEMS) {
                    out.add("…[" + (items.size() - MAX_ITEMS) + " more]");
                    break;
                }
                out.add(value(item));
            }
            return out;
        }
        return value;
    }

    /** {@code s} if it fits in {@value #MAX_STRING_BYTES} bytes of UTF-8, else its head and a cut mark. */
    static String text(String s) {
        if (s == null || s.length() <= MAX_STRING_BYTES / 4) {
            return s;
        }
        int bytes = 0;
        int keep = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + width > MAX_STRING_BYTES && keep < 0) {
                keep = i;
            }
            bytes += width;
            i += Character.charCount(cp);
        }
        if (keep < 0) {
            return s;
        }
        return s.substring(0, keep) + "…[cut: " + bytes + " bytes]";
    }
}
