package org.gproc.repl;

import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.lang.model.SourceVersion;

import groovy.lang.Binding;
import groovy.lang.GroovyCodeSource;
import groovy.lang.GroovyShell;
import groovy.lang.Script;
import groovy.transform.ThreadInterrupt;
import org.codehaus.groovy.control.CompilationFailedException;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.ASTTransformationCustomizer;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;
import org.codehaus.groovy.runtime.InvokerHelper;

/**
 * Compiles and runs Groovy source against one persistent {@link Binding}. Every script gets
 * {@link ThreadInterrupt} checks, so Ctrl-C (which interrupts the evaluating thread) also stops a busy loop.
 * Interactive evaluators additionally keep top-level declarations, methods and imports between inputs
 * ({@link ReplState}); batch scripts keep plain Groovy semantics.
 */
final class GroovyEvaluator {

    /** Source names of interactive inputs start with this, so error reports can tell script frames apart. */
    static final String INPUT_NAME = "gproc_input";

    private final Binding binding;
    private final GroovyShell shell;
    private final ReplState state;
    private int inputs;

    GroovyEvaluator(Map<String, Object> variables, boolean interactive) {
        this.binding = new Binding(new LinkedHashMap<>(variables));
        CompilerConfiguration config = new CompilerConfiguration();
        this.state = interactive ? new ReplState() : null;
        if (interactive) {
            config.addCompilationCustomizers(state, state.imports());
        }
        config.addCompilationCustomizers(new ASTTransformationCustomizer(ThreadInterrupt.class),
                new KeywordScriptNames());
        this.shell = new GroovyShell(GroovyEvaluator.class.getClassLoader(), binding, config);
    }

    Binding binding() {
        return binding;
    }

    /** Script output ({@code println}) goes here rather than to {@code System.out}. */
    void setOut(Writer out) {
        binding.setVariable("out", out);
    }

    /** Compiles and runs one interactive input; an input that only declares classes yields null. */
    Object evaluate(String source) throws CompilationFailedException {
        Class<?> compiled;
        try {
            String name = INPUT_NAME + (++inputs) + ".groovy";
            compiled = shell.getClassLoader()
                    .parseClass(new GroovyCodeSource(source, name, GroovyShell.DEFAULT_CODE_BASE), false);
        } catch (RuntimeException e) {
            if (state != null) {
                state.discardImports();
            }
            throw e;
        }
        if (state != null) {
            state.commitImports();
        }
        if (!Script.class.isAssignableFrom(compiled)) {
            return null;
        }
        return InvokerHelper.createScript(compiled, binding).run();
    }

    /** Compiles and runs a script file. */
    Object run(File file) throws CompilationFailedException, IOException {
        return shell.parse(file).run();
    }

    /**
     * Groovy names a script's class after its file; a file named like a Java keyword ({@code long.groovy},
     * {@code int.groovy}) would give a class the JVM's verifier rejects. Such a class gets a trailing underscore; the
     * file name stays the source name of its stack frames and errors.
     */
    private static final class KeywordScriptNames extends CompilationCustomizer {
        KeywordScriptNames() {
            super(CompilePhase.CONVERSION);
        }

        @Override
        public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
            if (classNode.isScript() && SourceVersion.isKeyword(classNode.getName())) {
                classNode.setName(classNode.getName() + "_");
            }
        }
    }
}
