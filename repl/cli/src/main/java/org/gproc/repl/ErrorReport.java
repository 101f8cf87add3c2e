package org.gproc.repl;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.messages.ExceptionMessage;
import org.codehaus.groovy.control.messages.Message;
import org.codehaus.groovy.control.messages.SimpleMessage;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.runtime.InvokerInvocationException;
import org.codehaus.groovy.syntax.SyntaxException;

/**
 * Turns what an evaluation threw into a few lines a user can act on: the error's kind, its message without the
 * generated script class name, and where in the user's source it happened ({@code hello.groovy:12:} in a batch
 * script, {@code line 2} in multi-line REPL input; a one-line input needs no line number). No Java stack trace:
 * a stack of Groovy runtime frames helps nobody at a REPL.
 */
final class ErrorReport {

    private final String sourceName;
    private final boolean showLine;

    /**
     * @param sourceName the script's file name ({@code hello.groovy}), or null for REPL input
     * @param showLine   whether a line number helps (a multi-line input, any script file)
     */
    ErrorReport(String sourceName, boolean showLine) {
        this.sourceName = sourceName;
        this.showLine = showLine;
    }

    String describe(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof MultipleCompilationErrorsException compile) {
            return compileErrors(compile);
        }
        if (t instanceof InterruptedException) {
            return prefix(lineOf(t)) + "interrupted";
        }
        if (t instanceof ForegroundEvaluation.Abandoned) {
            return "evaluation " + t.getMessage();
        }
        String message = t.getMessage() == null ? "" : ": " + withoutScriptClass(t.getMessage());
        return prefix(lineOf(t)) + t.getClass().getSimpleName() + message;
    }

    private String compileErrors(MultipleCompilationErrorsException compile) {
        List<String> lines = new ArrayList<>();
        for (Message m : compile.getErrorCollector().getErrors()) {
            if (m instanceof SyntaxErrorMessage syntax) {
                SyntaxException e = syntax.getCause();
                lines.add(prefix(e.getLine()) + "syntax error: " + e.getOriginalMessage()
                        + " (column " + e.getStartColumn() + ")");
            } else if (m instanceof ExceptionMessage exception) {
                lines.add(prefix(-1) + "compile error: " + exception.getCause().getMessage());
            } else if (m instanceof SimpleMessage simple) {
                lines.add(prefix(-1) + "compile error: " + simple.getMessage());
            }
        }
        return lines.isEmpty() ? prefix(-1) + compile.getMessage() : String.join("\n", lines);
    }

    /** The line in the user's source where {@code t} was thrown, or -1. */
    int lineOf(Throwable t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            String file = frame.getFileName();
            if (file != null && frame.getLineNumber() > 0
                    && (sourceName != null ? file.equals(sourceName) : file.startsWith(GroovyEvaluator.INPUT_NAME))) {
                return frame.getLineNumber();
            }
        }
        return -1;
    }

    private String prefix(int line) {
        if (sourceName != null) {
            return sourceName + (line > 0 ? ":" + line : "") + ": ";
        }
        return showLine && line > 0 ? "line " + line + ": " : "";
    }

    private String withoutScriptClass(String message) {
        String scriptClass = sourceName == null
                ? Pattern.quote(GroovyEvaluator.INPUT_NAME) + "\\d+"
                : Pattern.quote(sourceName.replaceFirst("\\.groovy$", ""));
        return message.replaceAll(" for class: " + scriptClass + "_?\\b", "");
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof InvokerInvocationException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
