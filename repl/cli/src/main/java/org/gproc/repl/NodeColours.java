package org.gproc.repl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jline.terminal.Terminal;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp.Capability;

/**
 * A stable colour per node name: the name's hash picks one of the 256-colour palette's readable colours (saturated,
 * neither too dark for a black background nor too light for a white one), so {@code n17} is the same colour in every
 * session. No colour on a dumb terminal, one without colour support, or when {@code NO_COLOR} is set
 * (https://no-color.org).
 */
final class NodeColours {

    private static final int[] LEVELS = {0, 95, 135, 175, 215, 255};
    private static final int[] PALETTE = readablePalette();

    private final boolean enabled;

    NodeColours(boolean enabled) {
        this.enabled = enabled;
    }

    static NodeColours forTerminal(Terminal terminal, Map<String, String> env) {
        return new NodeColours(colourAllowed(terminal.getType(), env)
                && numeric(terminal.getNumericCapability(Capability.max_colors)) >= 8);
    }

    static boolean colourAllowed(String terminalType, Map<String, String> env) {
        String noColor = env.get("NO_COLOR");
        return (noColor == null || noColor.isEmpty())
                && terminalType != null && !terminalType.startsWith(Terminal.TYPE_DUMB);
    }

    boolean enabled() {
        return enabled;
    }

    /** The node's style: its colour, or the default style when colour is off. */
    AttributedStyle node(String name) {
        return enabled ? AttributedStyle.DEFAULT.foreground(index(name)) : AttributedStyle.DEFAULT;
    }

    /** Standard error text and error messages. */
    AttributedStyle error() {
        return enabled ? AttributedStyle.DEFAULT.foreground(AttributedStyle.RED) : AttributedStyle.DEFAULT;
    }

    /** Notes from the REPL itself (interrupts, summaries). */
    AttributedStyle note() {
        return enabled ? AttributedStyle.DEFAULT.faint() : AttributedStyle.DEFAULT;
    }

    /** The 256-colour index for a node name. */
    static int index(String name) {
        return PALETTE[Math.floorMod(name.hashCode(), PALETTE.length)];
    }

    static int paletteSize() {
        return PALETTE.length;
    }

    private static int numeric(Integer value) {
        return value == null ? 0 : value;
    }

    private static int[] readablePalette() {
        List<Integer> colours = new ArrayList<>();
        for (int r = 0; r < 6; r++) {
            for (int g = 0; g < 6; g++) {
                for (int b = 0; b < 6; b++) {
                    int red = LEVELS[r];
                    int green = LEVELS[g];
                    int blue = LEVELS[b];
                    double luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue;
                    int saturation = Math.max(red, Math.max(green, blue)) - Math.min(red, Math.min(green, blue));
                    if (luminance >= 70 && luminance <= 185 && saturation >= 120) {
                        colours.add(16 + 36 * r + 6 * g + b);
                    }
                }
            }
        }
        return colours.stream().mapToInt(Integer::intValue).toArray();
    }
}
