package org.gproc.client.internal.inventory;

import groovy.lang.GroovyShell;
import groovy.lang.Script;
import groovy.util.ConfigObject;
import groovy.util.ConfigSlurper;
import java.util.List;
import java.util.Map;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.messages.Message;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.syntax.SyntaxException;

/**
 * Runs an inventory that uses Groovy beyond the declarative subset (variables, loops, ...) through ConfigSlurper
 * itself. This executes the file as code: inventories are the user's own files, trusted like a shell profile.
 */
public final class SlurperFallback {
    private static final String SCRIPT_NAME = "gproc_inventory";

    private SlurperFallback() {
    }

    /** A message ready to print, naming the file and, when known, the line. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    public static ConfigTree.Block parse(String text, String fileName) throws Failure {
        ConfigObject config;
        try {
            Script script = new GroovyShell().parse(text, SCRIPT_NAME + ".groovy");
            config = new ConfigSlurper().parse(script);
        } catch (MultipleCompilationErrorsException e) {
            Message first = e.getErrorCollector().getErrors().get(0);
            if (first instanceof SyntaxErrorMessage m) {
                SyntaxException cause = m.getCause();
                throw new Failure(fileName + ":" + cause.getLine() + ":" + cause.getStartColumn() + ": "
                        + cause.getOriginalMessage().replaceAll("\\s+", " ").strip());
            }
            throw new Failure(fileName + ": " + e.getMessage().replaceAll("\\s+", " ").strip());
        } catch (RuntimeException | LinkageError e) {
            int line = 0;
            for (StackTraceElement frame : e.getStackTrace()) {
                if (frame.getFileName() != null && frame.getFileName().startsWith(SCRIPT_NAME)) {
                    line = frame.getLineNumber();
                    break;
                }
            }
            throw new Failure(fileName + (line > 0 ? ":" + line : "") + ": " + e.getMessage());
        }
        return convert(config);
    }

    private static ConfigTree.Block convert(Map<?, ?> map) throws Failure {
        ConfigTree.Block block = new ConfigTree.Block(0);
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (v instanceof Map<?, ?> m) {
                ConfigTree.Block child = convert(m);
                block.items().put(key, child);
            } else if (v instanceof CharSequence || v instanceof Integer) {
                block.put(key, new ConfigTree.Value(v instanceof CharSequence ? v.toString() : v, 0));
            } else if (v instanceof Number n && n.longValue() == n.intValue()) {
                block.put(key, new ConfigTree.Value(n.intValue(), 0));
            } else if (v instanceof List<?> list) {
                block.put(key, new ConfigTree.Value(list.stream()
                        .map(x -> x instanceof CharSequence cs ? cs.toString() : x).toList(), 0));
            } else {
                block.put(key, new ConfigTree.Value(v, 0));
            }
        }
        return block;
    }
}
