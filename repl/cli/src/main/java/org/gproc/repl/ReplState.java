package org.gproc.repl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.ImportNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.ModuleNode;
import org.codehaus.groovy.ast.Parameter;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.EmptyExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;
import org.codehaus.groovy.control.customizers.ImportCustomizer;
import org.codehaus.groovy.syntax.Token;
import org.codehaus.groovy.syntax.Types;

/**
 * Makes a script's top level persist between REPL inputs, as groovysh does: each input compiles to its own script
 * class, so without this {@code def x = 1} would be a local variable of that class's {@code run()} and gone by the
 * next line. Rewritten at conversion, before variable scoping:
 * <ul>
 *   <li>top-level declarations ({@code def x = 1}, {@code int x = 1}, {@code def (a, b) = [1, 2]}) become binding
 *       assignments (the declared type is dropped);</li>
 *   <li>top-level methods become closures in the binding, which a script calls like methods;</li>
 *   <li>imports are remembered (once the input compiled) and added to every later input.</li>
 * </ul>
 * Classes need nothing: every input shares one class loader, so a class defined earlier stays visible.
 * Declarations inside blocks, closures and methods keep their ordinary local scope.
 */
final class ReplState extends CompilationCustomizer {

    private final ImportCustomizer remembered = new ImportCustomizer();
    private final Set<String> rememberedKeys = new HashSet<>();
    private final List<ImportNode> seen = new ArrayList<>();

    ReplState() {
        super(CompilePhase.CONVERSION);
    }

    /** The customizer that adds every remembered import; install it after this one. */
    ImportCustomizer imports() {
        return remembered;
    }

    /** Called once an input compiled: its imports become part of every later input. */
    void commitImports() {
        for (ImportNode i : seen) {
            if (!rememberedKeys.add(i.getText() + " as " + i.getAlias())) {
                continue;
            }
            if (i.isStatic() && i.isStar()) {
                remembered.addStaticStars(i.getClassName());
            } else if (i.isStatic()) {
                remembered.addStaticImport(i.getAlias(), i.getClassName(), i.getFieldName());
            } else if (i.isStar()) {
                remembered.addStarImports(trimDot(i.getPackageName()));
            } else {
                remembered.addImport(i.getAlias(), i.getClassName());
            }
        }
        seen.clear();
    }

    /** Called when an input failed to compile: its imports are forgotten. */
    void discardImports() {
        seen.clear();
    }

    @Override
    public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        if (!classNode.isScript()) {
            return;
        }
        ModuleNode module = source.getAST();
        seen.clear();
        seen.addAll(module.getImports());
        seen.addAll(module.getStarImports());
        seen.addAll(module.getStaticImports().values());
        seen.addAll(module.getStaticStarImports().values());

        MethodNode run = classNode.getMethod("run", Parameter.EMPTY_ARRAY);
        if (run == null || !(run.getCode() instanceof BlockStatement body)) {
            return;
        }
        List<Statement> statements = body.getStatements();
        for (Statement statement : statements) {
            if (statement instanceof ExpressionStatement es
                    && es.getExpression() instanceof DeclarationExpression declaration) {
                es.setExpression(assignment(declaration));
            }
        }
        List<Statement> methodClosures = new ArrayList<>();
        for (MethodNode method : new ArrayList<>(module.getMethods())) {
            ClosureExpression closure = new ClosureExpression(method.getParameters(), method.getCode());
            closure.setSourcePosition(method);
            methodClosures.add(statement(assign(new VariableExpression(method.getName()), closure), method));
            classNode.removeMethod(method);
        }
        if (statements.isEmpty() && !methodClosures.isEmpty()) {
            statements.add(new ExpressionStatement(new ConstantExpression(null))); // defining a method yields nothing
        }
        statements.addAll(0, methodClosures);
    }

    private static Expression assignment(DeclarationExpression declaration) {
        Expression target;
        if (declaration.isMultipleAssignmentDeclaration()) {
            TupleExpression names = new TupleExpression();
            for (Expression e : declaration.getTupleExpression().getExpressions()) {
                names.addExpression(new VariableExpression(((VariableExpression) e).getName()));
            }
            target = names;
        } else {
            target = new VariableExpression(declaration.getVariableExpression().getName());
        }
        target.setSourcePosition(declaration.getLeftExpression());
        Expression value = declaration.getRightExpression();
        if (value instanceof EmptyExpression) {
            value = new ConstantExpression(null);
        }
        BinaryExpression assignment = assign(target, value);
        assignment.setSourcePosition(declaration);
        return assignment;
    }

    private static BinaryExpression assign(Expression target, Expression value) {
        return new BinaryExpression(target, Token.newSymbol(Types.ASSIGN, -1, -1), value);
    }

    private static Statement statement(Expression expression, MethodNode position) {
        ExpressionStatement statement = new ExpressionStatement(expression);
        statement.setSourcePosition(position);
        return statement;
    }

    private static String trimDot(String packageName) {
        return packageName.endsWith(".") ? packageName.substring(0, packageName.length() - 1) : packageName;
    }
}
