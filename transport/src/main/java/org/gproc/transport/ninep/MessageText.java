package org.gproc.transport.ninep;

import java.util.List;

/**
 * Builds the {@code Name{field=value, ...}} text of messages, stats and qids without reflection. Values are shown
 * the way a 9P reader thinks of them: fids and counts unsigned, {@code NOFID}/{@code NOTAG} by name, modes as flag
 * names plus octal permission bits, strings quoted and escaped only when they would otherwise be ambiguous (empty,
 * spaces, punctuation, control characters), so a hostile name cannot forge a log line.
 */
final class MessageText {
    private final StringBuilder text;
    private boolean first = true;

    private MessageText(String name) {
        text = new StringBuilder(64).append(name).append('{');
    }

    static MessageText of(String name) {
        return new MessageText(name);
    }

    private MessageText field(String name, String value) {
        if (!first) {
            text.append(", ");
        }
        first = false;
        text.append(name).append('=').append(value);
        return this;
    }

    MessageText tag(String name, int tag) {
        return field(name, tag == Message.NOTAG ? "NOTAG" : Integer.toString(tag));
    }

    MessageText tag(int tag) {
        return tag("tag", tag);
    }

    MessageText fid(String name, int fid) {
        return field(name, fid == Message.NOFID ? "NOFID" : Integer.toUnsignedString(fid));
    }

    MessageText u32(String name, int value) {
        return field(name, Integer.toUnsignedString(value));
    }

    MessageText u64(String name, long value) {
        return field(name, Long.toUnsignedString(value));
    }

    MessageText str(String name, String value) {
        return field(name, quote(value));
    }

    MessageText strings(String name, List<String> values) {
        StringBuilder list = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            list.append(i == 0 ? "" : ", ").append(quote(values.get(i)));
        }
        return field(name, list.append(']').toString());
    }

    MessageText value(String name, Object value) {
        return field(name, String.valueOf(value));
    }

    MessageText openMode(String name, int mode) {
        return field(name, openMode(mode));
    }

    MessageText dirMode(String name, int mode) {
        return field(name, dirMode(mode));
    }

    /** For Twstat's "don't touch" numbers: all ones shows as {@code ~0} instead of a huge meaningless value. */
    MessageText u32OrKeep(String name, int value) {
        return value == -1 ? field(name, "~0") : u32(name, value);
    }

    MessageText u64OrKeep(String name, long value) {
        return value == -1L ? field(name, "~0") : u64(name, value);
    }

    MessageText dirModeOrKeep(String name, int mode) {
        return mode == -1 ? field(name, "~0") : dirMode(name, mode);
    }

    @Override
    public String toString() {
        return text.append('}').toString();
    }

    /** open(5) mode byte: {@code OREAD|OTRUNC}; bits that mean nothing in 9P2000 are kept as hex. */
    static String openMode(int mode) {
        StringBuilder out = new StringBuilder(switch (mode & 3) {
            case Message.OREAD -> "OREAD";
            case Message.OWRITE -> "OWRITE";
            case Message.ORDWR -> "ORDWR";
            default -> "OEXEC";
        });
        if ((mode & Message.OTRUNC) != 0) {
            out.append("|OTRUNC");
        }
        if ((mode & Message.ORCLOSE) != 0) {
            out.append("|ORCLOSE");
        }
        int other = mode & ~(3 | Message.OTRUNC | Message.ORCLOSE);
        if (other != 0) {
            out.append("|0x").append(Integer.toHexString(other));
        }
        return out.toString();
    }

    private static final int[] DM_BITS = {Stat.DMDIR, Stat.DMAPPEND, Stat.DMEXCL, Stat.DMAUTH, Stat.DMTMP};
    private static final String[] DM_NAMES = {"DMDIR", "DMAPPEND", "DMEXCL", "DMAUTH", "DMTMP"};

    /** stat(5) mode / Tcreate perm: {@code DMDIR|0755}; unnamed high bits are kept as hex. */
    static String dirMode(int mode) {
        StringBuilder out = new StringBuilder();
        int named = 0;
        for (int i = 0; i < DM_BITS.length; i++) {
            if ((mode & DM_BITS[i]) != 0) {
                out.append(DM_NAMES[i]).append('|');
                named |= DM_BITS[i];
            }
        }
        int other = mode & ~named & ~0777;
        if (other != 0) {
            out.append("0x").append(Integer.toHexString(other)).append('|');
        }
        String octal = Integer.toOctalString(mode & 0777);
        return out.append("0").append("000", 0, 3 - octal.length()).append(octal).toString();
    }

    static String quote(String s) {
        return !s.isEmpty() && s.chars().allMatch(MessageText::plain) ? s : quoted(s);
    }

    static String quoted(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7F || Character.getType(c) == Character.FORMAT
                            || Character.getType(c) == Character.CONTROL) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Characters that can stand unquoted: nothing that could be read as a separator, a quote or an escape. */
    private static boolean plain(int c) {
        return c > 0x20 && c != 0x7F && ",{}[]=\"\\'".indexOf(c) < 0
                && Character.getType(c) != Character.FORMAT && Character.getType(c) != Character.CONTROL
                && !Character.isWhitespace(c) && !Character.isSpaceChar(c);
    }
}
