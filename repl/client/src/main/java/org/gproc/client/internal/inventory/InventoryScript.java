package org.gproc.client.internal.inventory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the declarative subset of Groovy ConfigSlurper that inventories use, without compiling or running code:
 * blocks {@code name { ... }} (names plain or quoted), assignments {@code key = 'text'} or {@code key = 5640} with
 * dotted paths ({@code groups.'gpu-nodes' = 'n1'}), statements ended by a newline or {@code ;}, and comments.
 * Anything else throws {@link Unsupported} and the caller hands the file to ConfigSlurper itself, so every file this
 * reads means the same to ConfigSlurper. Linear time: a 10,000-node file reads in milliseconds, where compiling it
 * with ConfigSlurper takes seconds (and fails with "Method too large" past a few thousand blocks).
 */
public final class InventoryScript {
    /** The file uses Groovy beyond the declarative subset. */
    public static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String what, int line) {
            super(what + " at line " + line, null, false, false);
        }
    }

    /** The file is in the subset but wrong in a way Groovy would refuse too; the message is ready to print. */
    public static final class Broken extends Exception {
        private static final long serialVersionUID = 1L;
        public final int line;

        Broken(String message, int line) {
            super(message, null, false, false);
            this.line = line;
        }
    }

    private static final Set<String> KEYWORDS = Set.of("abstract", "as", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "def", "default", "do", "double", "else", "enum",
            "extends", "false", "final", "finally", "float", "for", "goto", "if", "implements", "import", "in",
            "instanceof", "int", "interface", "long", "native", "new", "null", "package", "private", "protected",
            "public", "return", "short", "static", "super", "switch", "synchronized", "this", "throw", "throws",
            "trait", "transient", "true", "try", "var", "void", "volatile", "while", "yield", "record", "sealed",
            "permits", "non-sealed", "environments");

    private enum Kind { IDENT, STRING, NUMBER, OPEN, CLOSE, EQUALS, DOT, LIST, COMMA, LIST_END, END, EOF }

    private record Token(Kind kind, String text, Object value, int line) {
    }

    private final List<Token> tokens;
    private int at;

    private InventoryScript(List<Token> tokens) {
        this.tokens = tokens;
    }

    public static ConfigTree.Block parse(String text) throws Unsupported, Broken {
        InventoryScript script = new InventoryScript(new Lexer(text).tokens());
        ConfigTree.Block root = new ConfigTree.Block(1);
        try {
            script.statements(root, null);
        } catch (Unclosed e) {
            throw new Broken("block '" + e.name + "' is never closed (missing '}')", e.line);
        }
        return root;
    }

    private static final class Unclosed extends Exception {
        private static final long serialVersionUID = 1L;
        final String name;
        final int line;

        Unclosed(String name, int line) {
            super(name, null, false, false);
            this.name = name;
            this.line = line;
        }
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token next() {
        return tokens.get(at++);
    }

    /** Statements up to the '}' closing block {@code open} (up to the end of file when it is null). */
    private void statements(ConfigTree.Block block, Token open) throws Unsupported, Unclosed {
        boolean inBraces = open != null;
        while (true) {
            while (peek().kind == Kind.END) {
                at++;
            }
            Token t = peek();
            if (t.kind == Kind.CLOSE && inBraces) {
                return;
            }
            if (t.kind == Kind.EOF) {
                if (inBraces) {
                    throw new Unclosed(open.text, open.line);
                }
                return;
            }
            Token key = key();
            if (peek().kind == Kind.OPEN) {
                next();
                statements(block.block(key.text, key.line), key);
                next(); // the '}'
            } else {
                if (key.kind == Kind.STRING) { // Groovy refuses 'quoted' = value: "LHS of an assignment"
                    throw new Unsupported("quoted key assigned", key.line);
                }
                ConfigTree.Block target = block;
                String name = key.text;
                while (peek().kind == Kind.DOT) {
                    next();
                    target = target.block(name, key.line);
                    name = key().text;
                }
                if (next().kind != Kind.EQUALS) {
                    throw new Unsupported("not an assignment", key.line);
                }
                Token value = next();
                if (value.kind == Kind.LIST) {
                    target.put(name, new ConfigTree.Value(list(), value.line));
                } else if (value.kind != Kind.STRING && value.kind != Kind.NUMBER) {
                    throw new Unsupported("not a plain value", value.line);
                } else {
                    target.put(name, new ConfigTree.Value(value.value, value.line));
                }
            }
            Kind after = peek().kind;
            if (after != Kind.END && after != Kind.CLOSE && after != Kind.EOF) {
                throw new Unsupported("two statements on one line", peek().line);
            }
        }
    }

    /** The plain values of a list literal after its '[', up to and including the ']' (line breaks allowed). */
    private List<Object> list() throws Unsupported {
        List<Object> values = new ArrayList<>();
        while (true) {
            while (peek().kind == Kind.END && "\n".equals(peek().text)) {
                at++;
            }
            Token t = next();
            if (t.kind == Kind.LIST_END && values.isEmpty()) {
                return values;
            }
            if (t.kind != Kind.STRING && t.kind != Kind.NUMBER) {
                throw new Unsupported("not a plain list value", t.line);
            }
            values.add(t.value);
            while (peek().kind == Kind.END && "\n".equals(peek().text)) {
                at++;
            }
            Token after = next();
            if (after.kind == Kind.LIST_END) {
                return values;
            }
            if (after.kind != Kind.COMMA) {
                throw new Unsupported("not a list", after.line);
            }
        }
    }

    private Token key() throws Unsupported {
        Token t = next();
        if (t.kind == Kind.IDENT && !KEYWORDS.contains(t.text) || t.kind == Kind.STRING) {
            return new Token(t.kind, t.kind == Kind.STRING ? (String) t.value : t.text, t.value, t.line);
        }
        throw new Unsupported("not a key: " + t.text, t.line);
    }

    private static final class Lexer {
        private final String s;
        private int i;
        private int line = 1;
        private final List<Token> out = new ArrayList<>();

        Lexer(String s) {
            this.s = s;
        }

        List<Token> tokens() throws Unsupported {
            if (s.startsWith("#!")) {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            }
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\n') {
                    add(Kind.END, "\n", null);
                    line++;
                    i++;
                } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                    i++;
                } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                    while (i < s.length() && s.charAt(i) != '\n') {
                        i++;
                    }
                } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                    int end = s.indexOf("*/", i + 2);
                    if (end < 0) {
                        throw new Unsupported("unterminated comment", line);
                    }
                    line += (int) s.substring(i, end).chars().filter(ch -> ch == '\n').count();
                    i = end + 2;
                } else if (c == ';') {
                    add(Kind.END, ";", null);
                    i++;
                } else if (c == '{') {
                    add(Kind.OPEN, "{", null);
                    i++;
                } else if (c == '}') {
                    add(Kind.CLOSE, "}", null);
                    i++;
                } else if (c == '=') {
                    if (i + 1 < s.length() && (s.charAt(i + 1) == '=' || s.charAt(i + 1) == '~')) {
                        throw new Unsupported("operator", line);
                    }
                    add(Kind.EQUALS, "=", null);
                    i++;
                } else if (c == '.') {
                    add(Kind.DOT, ".", null);
                    i++;
                } else if (c == '[') {
                    add(Kind.LIST, "[", null);
                    i++;
                } else if (c == ']') {
                    add(Kind.LIST_END, "]", null);
                    i++;
                } else if (c == ',') {
                    add(Kind.COMMA, ",", null);
                    i++;
                } else if (c == '\'' || c == '"') {
                    string(c);
                } else if (c == '-' || c >= '0' && c <= '9') {
                    number();
                } else if (Character.isJavaIdentifierStart(c) && c != '$') {
                    int start = i;
                    while (i < s.length() && Character.isJavaIdentifierPart(s.charAt(i)) && s.charAt(i) != '$') {
                        i++;
                    }
                    add(Kind.IDENT, s.substring(start, i), null);
                } else {
                    throw new Unsupported("character '" + c + "'", line);
                }
            }
            add(Kind.EOF, "end of file", null);
            return out;
        }

        private void add(Kind kind, String text, Object value) {
            out.add(new Token(kind, text, value, line));
        }

        private void number() throws Unsupported {
            int start = i;
            if (s.charAt(i) == '-') {
                i++;
            }
            int digits = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == digits || i - digits > 9
                    || i < s.length() && (Character.isJavaIdentifierPart(s.charAt(i)) || s.charAt(i) == '.')) {
                throw new Unsupported("number", line);
            }
            add(Kind.NUMBER, s.substring(start, i), Integer.parseInt(s.substring(start, i)));
        }

        private void string(char quote) throws Unsupported {
            if (s.startsWith(String.valueOf(quote).repeat(3), i)) {
                throw new Unsupported("triple-quoted string", line);
            }
            StringBuilder sb = new StringBuilder();
            i++;
            while (true) {
                if (i >= s.length() || s.charAt(i) == '\n') {
                    throw new Unsupported("unterminated string", line);
                }
                char c = s.charAt(i++);
                if (c == quote) {
                    break;
                }
                if (c == '$' && quote == '"') {
                    throw new Unsupported("GString", line);
                }
                if (c == '\\') {
                    if (i >= s.length()) {
                        throw new Unsupported("unterminated string", line);
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case '\\', '\'', '"', '$' -> sb.append(e);
                        default -> throw new Unsupported("escape \\" + e, line);
                    }
                } else {
                    sb.append(c);
                }
            }
            add(Kind.STRING, s.substring(0, 0) + quote + sb + quote, sb.toString());
        }
    }
}
