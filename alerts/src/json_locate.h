/* Finds the line of a value in JSON text by its path ("rules[2].zone"), so that errors
 * found after parsing (cJSON keeps no positions) can still name the line. */
#ifndef VIGIL_ALERTS_JSON_LOCATE_H
#define VIGIL_ALERTS_JSON_LOCATE_H

/* Line (from 1) where the value at path starts; for a path that does not exist, the
 * line of its deepest existing ancestor. The empty path is the whole document. */
int vigil_json_locate(const char *text, const char *path);

/* Line of a byte offset into text. */
int vigil_json_line_of(const char *text, const char *position);

#endif
