package org.gproc.cli

import spock.lang.Specification

/** The --diff text is Python difflib's unified_diff (what clush --diff prints); expected values come from difflib. */
class UnifiedDiffSpec extends Specification {

    def "#from against #to is difflib's diff"() {
        expect:
        UnifiedDiff.of('A', from, 'B', to) == diff

        where:
        from                                                   | to                                                     || diff
        ['a', 'b']                                             | ['a', 'b', 'c']                                        || '--- A\n+++ B\n@@ -1,2 +1,3 @@\n a\n b\n+c\n'
        ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']     | ['a', 'X', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'Y']     || '--- A\n+++ B\n@@ -1,5 +1,5 @@\n a\n-b\n+X\n c\n d\n e\n@@ -7,4 +7,4 @@\n g\n h\n i\n-j\n+Y\n'
        ['x']                                                  | []                                                     || '--- A\n+++ B\n@@ -1 +0,0 @@\n-x\n'
        []                                                     | ['y']                                                  || '--- A\n+++ B\n@@ -0,0 +1 @@\n+y\n'
        ['1', '2', '3', '4', '5', '6', '7', '8']               | ['1', '2', '3', '4', '5', '6', '7', '8', '9']          || '--- A\n+++ B\n@@ -6,3 +6,4 @@\n 6\n 7\n 8\n+9\n'
        ['a', 'b', 'c']                                        | ['a', 'c']                                             || '--- A\n+++ B\n@@ -1,3 +1,2 @@\n a\n-b\n c\n'
    }

    def "equal outputs have no diff at all, not even headers"() {
        expect:
        UnifiedDiff.of('A', ['same', 'lines'], 'B', ['same', 'lines']) == ''
        UnifiedDiff.of('A', [], 'B', []) == ''
    }
}
