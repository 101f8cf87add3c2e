package org.gproc.repl;

import java.util.List;

import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

/**
 * JLine's view of a line of Groovy: unfinished input ({@link InputCompleteness}) continues on the next line, and
 * the word being completed is the run of identifier characters and dots before the cursor ({@code nodes.n1.pu}), so
 * a node name completes inside quotes and brackets too ({@code nodes['n1}). A leading {@code /} belongs to the word
 * when it starts the line, for REPL commands.
 */
final class GroovyLineParser implements Parser {

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        if (context == ParseContext.ACCEPT_LINE && !line.stripLeading().startsWith("/")
                && InputCompleteness.incomplete(line)) {
            throw new EOFError(-1, -1, "incomplete input");
        }
        int start = cursor;
        while (start > 0 && isWordChar(line.charAt(start - 1))) {
            start--;
        }
        if (start == 1 && line.charAt(0) == '/') {
            start = 0;
        }
        int end = cursor;
        while (end < line.length() && isWordChar(line.charAt(end))) {
            end++;
        }
        return new Line(line, cursor, line.substring(start, end), cursor - start);
    }

    static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '.';
    }

    private record Line(String line, int cursor, String word, int wordCursor) implements CompletingParsedLine {

        @Override
        public int wordIndex() {
            return 0;
        }

        @Override
        public List<String> words() {
            return List.of(word);
        }

        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return candidate;
        }

        @Override
        public int rawWordCursor() {
            return wordCursor;
        }

        @Override
        public int rawWordLength() {
            return word.length();
        }
    }
}
