/*
 * Loaded by the fuzz targets and the mutation test beside the shipped rules: a rule with strings,
 * so that every run also scans the dump's memory at virtual addresses and the invariant "every
 * string match lies in present memory" is checked on each input. Not shipped.
 */

rule fuzz_memory_strings
{
    meta:
        id = "FUZZ-STRINGS"
        title = "Heap, PE and MAPI markers in memory (fuzzing only)"
        severity = "info"
    strings:
        $heap = { FF EE FF EE }
        $segment_heap = { EE DD EE DD }
        $pe = { 50 45 00 00 }
        $mapi = "MAPI32" nocase wide ascii
    condition:
        any of them
}
