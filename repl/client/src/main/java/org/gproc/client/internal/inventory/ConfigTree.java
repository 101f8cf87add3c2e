package org.gproc.client.internal.inventory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a ConfigSlurper file says, as nested blocks of values, each remembering the line that defined it (0 when
 * unknown, as after a ConfigSlurper fallback).
 */
public final class ConfigTree {
    private ConfigTree() {
    }

    /** A value or a block. */
    public sealed interface Item permits Value, Block {
        int line();
    }

    /** A string or an integer. */
    public record Value(Object value, int line) implements Item {
    }

    public static final class Block implements Item {
        private final Map<String, Item> items = new LinkedHashMap<>();
        private final int line;

        public Block(int line) {
            this.line = line;
        }

        @Override
        public int line() {
            return line;
        }

        public Map<String, Item> items() {
            return items;
        }

        /** ConfigSlurper's merge: a block named twice is one block; a value set twice keeps the last. */
        Block block(String key, int line) {
            Item existing = items.get(key);
            if (existing instanceof Block b) {
                return b;
            }
            Block b = new Block(line);
            items.put(key, b);
            return b;
        }

        void put(String key, Value value) {
            items.put(key, value);
        }
    }
}
