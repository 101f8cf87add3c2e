/**
 * Reading ELF files on the control node, as its dynamic loader would, before anything is pushed: {@link ElfFile}
 * parses the headers a push needs (class, byte order, machine, {@code PT_INTERP}, {@code PT_DYNAMIC} with
 * {@code DT_NEEDED}, {@code DT_RUNPATH}, {@code DT_RPATH}, {@code DT_SONAME}); {@link LdSoCache} reads glibc's
 * {@code /etc/ld.so.cache}; {@link LibraryClosure} resolves a program's shared libraries with the loader's search
 * order. Every input is hostile until checked: each offset and size is bounds-checked against the file, and a
 * malformed file fails with {@link ElfFormatException} naming the file and what is wrong with it.
 */
package org.gproc.client.internal.elf;
