package org.gproc.daemon.attack

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardOpenOption

/**
 * Notes what each attack met (the error text the attacker saw) in {@code target/attack-outcomes.txt}, one
 * tab-separated line per case, so a table of attacks and their outcomes is written by the run itself, never by hand.
 */
class Outcomes {
    static final Path FILE = Path.of(System.getProperty('user.dir'), 'target', 'attack-outcomes.txt')

    static synchronized void note(String attack, Object outcome) {
        String text = String.valueOf(outcome).replaceAll(/\s+/, ' ').trim()
        Files.createDirectories(FILE.parent)
        Files.writeString(FILE, "${attack}\t${text.take(300)}\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND)
    }
}
