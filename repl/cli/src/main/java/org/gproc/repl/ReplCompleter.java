package org.gproc.repl;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import groovy.lang.GroovyObject;
import groovy.lang.Script;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Completes REPL commands ({@code /ps}), binding names, Groovy keywords, node names (from the {@code nodes}
 * binding, also inside quotes: {@code nodes['n1}), and methods and properties after a dot. The receiver's type is
 * found from the binding's value and then from declared return types ({@code cluster.nodes.}); where that fails
 * (a closure's {@code it}, a dynamic {@code nodes.n1}), every method of the cluster API's bound objects and their
 * elements is offered, since that is what users call.
 */
final class ReplCompleter implements Completer {

    static final List<String> KEYWORDS = List.of("as", "assert", "break", "case", "catch", "class", "continue",
            "def", "default", "else", "false", "finally", "for", "if", "import", "in", "instanceof", "new", "null",
            "return", "switch", "this", "throw", "true", "try", "var", "while");

    /** GDK methods on any Iterable, so node sets and job results complete their {@code each/collect/findAll}. */
    static final List<String> ITERABLE_METHODS = List.of("any", "collect", "collectMany", "count", "each",
            "eachWithIndex", "every", "find", "findAll", "findResults", "first", "groupBy", "inject", "join", "last",
            "size", "sort", "sum", "toList", "toSet", "unique", "withIndex");

    private static final Set<String> HIDDEN = Set.of("equals", "hashCode", "toString", "getClass", "notify",
            "notifyAll", "wait", "getMetaClass", "setMetaClass", "invokeMethod", "getProperty", "setProperty");

    private final Supplier<Map<?, ?>> variables;
    private final Collection<String> commands;

    /** {@code variables}: the REPL's current bindings, read at each completion. */
    ReplCompleter(Supplier<Map<?, ?>> variables, Collection<String> commands) {
        this.variables = variables;
        this.commands = commands;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        String word = line.word().substring(0, line.wordCursor());
        if (word.startsWith("/")) {
            commands.forEach(c -> candidates.add(new Candidate(c, c, "commands", null, null, null, true)));
            return;
        }
        int dot = word.lastIndexOf('.');
        if (dot < 0) {
            variables().forEach(v -> candidates.add(plain(v, "variables", true)));
            KEYWORDS.forEach(k -> candidates.add(plain(k, "keywords", true)));
            // no space after a node name: it is usually inside quotes or followed by a dot
            nodeNames().forEach(n -> candidates.add(plain(n, "nodes", false)));
            return;
        }
        String receiver = word.substring(0, dot + 1);
        Class<?> type = resolve(word.substring(0, dot));
        Set<Class<?>> types = new LinkedHashSet<>();
        if (type != null) {
            types.add(type);
        } else {
            types.addAll(apiTypes());
        }
        Set<String> members = new LinkedHashSet<>();
        for (Class<?> t : types) {
            members.addAll(members(t));
            if (Iterable.class.isAssignableFrom(t)) {
                ITERABLE_METHODS.forEach(m -> members.add(m + "("));
            }
        }
        if (type == null) {
            ITERABLE_METHODS.forEach(m -> members.add(m + "("));
        }
        if (word.substring(0, dot).equals("nodes")) {
            members.addAll(nodeNames());
        }
        for (String member : members) {
            candidates.add(new Candidate(receiver + member, member, null, null, null, null, !member.endsWith("(")));
        }
    }

    private Set<String> variables() {
        Set<String> names = new LinkedHashSet<>();
        for (Object key : variables.get().keySet()) {
            names.add(String.valueOf(key));
        }
        return names;
    }

    private List<String> nodeNames() {
        return Nodes.names(variables.get().get("nodes"));
    }

    /** The type of a dotted expression, from a bound value and declared return types; null when unknown. */
    Class<?> resolve(String expression) {
        String[] parts = expression.split("\\.");
        Object value = parts.length == 0 ? null : variables.get().get(parts[0]);
        if (value == null) {
            return null;
        }
        Class<?> type = value.getClass();
        for (int i = 1; i < parts.length && type != null; i++) {
            type = memberType(type, parts[i]);
        }
        return type;
    }

    private static Class<?> memberType(Class<?> type, String name) {
        String capitalised = name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (String candidate : new String[] {"get" + capitalised, "is" + capitalised, name}) {
            try {
                return type.getMethod(candidate).getReturnType();
            } catch (NoSuchMethodException e) {
                // try the next spelling
            }
        }
        try {
            Field field = type.getField(name);
            return field.getType();
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    /** The classes of the cluster API objects in the binding, and of the elements of those that are iterable. */
    private Set<Class<?>> apiTypes() {
        Set<Class<?>> types = new LinkedHashSet<>();
        for (Object value : variables.get().values()) {
            if (value == null || !isApi(value.getClass())) {
                continue;
            }
            types.add(value.getClass());
            if (value instanceof Iterable<?> iterable) {
                var elements = iterable.iterator();
                if (elements.hasNext()) {
                    Object first = elements.next();
                    if (first != null) {
                        types.add(first.getClass());
                    }
                }
            }
        }
        return types;
    }

    private static boolean isApi(Class<?> type) {
        return type.getName().startsWith("org.gproc.");
    }

    /** Public instance methods ({@code name(} or {@code name()}) and getter properties of a type. */
    static Set<String> members(Class<?> type) {
        Set<String> members = new LinkedHashSet<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isSynthetic() || m.getName().contains("$")
                    || HIDDEN.contains(m.getName()) || m.getDeclaringClass() == Object.class
                    || m.getDeclaringClass() == GroovyObject.class || m.getDeclaringClass() == Script.class) {
                continue;
            }
            members.add(m.getName() + (m.getParameterCount() == 0 ? "()" : "("));
            String property = property(m);
            if (property != null) {
                members.add(property);
            }
        }
        return members;
    }

    private static String property(Method m) {
        String name = m.getName();
        int prefix = name.startsWith("get") ? 3 : name.startsWith("is") ? 2 : 0;
        if (prefix == 0 || name.length() == prefix || m.getParameterCount() != 0
                || !Character.isUpperCase(name.charAt(prefix))) {
            return null;
        }
        return Character.toLowerCase(name.charAt(prefix)) + name.substring(prefix + 1);
    }

    private static Candidate plain(String value, String group, boolean complete) {
        return new Candidate(value, value, group, null, null, null, complete);
    }
}
