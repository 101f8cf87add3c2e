/**
 * The {@code gproc} command line (picocli): thin commands over {@code org.gproc.client}. Each command prints its
 * result on stdout (or JSON with {@code --json}) and its errors on stderr; exit 2 means bad usage or bad input.
 * Trust model: arguments and the environment are the invoking user's; the inventory is read only by commands that
 * need it.
 */
package org.gproc.cli;
