/* The inputs of a batch, in a stable order: files as given, folders walked recursively in byte
 * order of their names, and "-" read as one path per line from standard input. A path that cannot
 * be read stays in the list with its problem, so that it is reported in its place. */
#ifndef HS_INPUTS_H
#define HS_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct hs_input {
    char *path;
    char *problem; /* NULL, or why the path cannot be read (reported as an error) */
} hs_input;

typedef struct hs_input_list {
    hs_input *items;
    size_t count, cap;
} hs_input_list;

/* Appends the inputs named by args (stdin_list is read for "-"). Folders: only regular files and
 * symbolic links to regular files are taken; links to folders are not followed, so no cycle.
 * Returns false only when out of memory. */
bool hs_inputs_expand(const char *const *args, size_t n, FILE *stdin_list, hs_input_list *out);
void hs_input_list_free(hs_input_list *list);

/* "K/N" with 0 <= K < N; returns false (and leaves k, n alone) when malformed. */
bool hs_shard_parse(const char *text, unsigned *k, unsigned *n);
/* True when path belongs to shard k of n: a 64-bit hash of the path (FNV-1a, then mixed) modulo n,
 * so every worker computes the same partition from the same paths. */
bool hs_shard_keeps(const char *path, unsigned k, unsigned n);

#endif
