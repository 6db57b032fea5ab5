/* --frames LIST parsing: indices and Python-style [begin, end) ranges, normalized to
 * sorted disjoint ranges so that membership is a short search. */
#include "frame_list.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void vigil_frame_list_free(vigil_frame_list *list) {
    if (!list)
        return;
    free(list->ranges);
    list->ranges = NULL;
    list->count = 0;
}

/* A non-negative decimal in [s, s + len); false if anything else is there. */
static bool parse_index(const char *s, size_t len, int64_t *out) {
    if (len == 0 || len > 18)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static vigil_status parse_item(const char *s, size_t len, vigil_frame_range *r, vigil_error *err) {
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    const char *colon = memchr(s, ':', len);
    bool ok;
    if (!colon) {
        ok = parse_index(s, len, &r->begin);
        r->end = r->begin + 1;
    } else {
        size_t head = (size_t)(colon - s), tail = len - head - 1;
        r->begin = 0;
        r->end = INT64_MAX;
        ok = (head == 0 || parse_index(s, head, &r->begin)) &&
             (tail == 0 || parse_index(colon + 1, tail, &r->end)) && !(head == 0 && tail == 0);
        if (ok && r->end <= r->begin)
            return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                                   "--frames: '%.*s' is an empty range (the end is exclusive)",
                                   (int)len, s);
    }
    if (!ok)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT,
                               "--frames: '%.*s' is not a frame index (N) or range (A:B, A:, :B)",
                               (int)len, s);
    return VIGIL_STATUS_OK;
}

static int compare_ranges(const void *pa, const void *pb) {
    const vigil_frame_range *a = pa, *b = pb;
    return (a->begin > b->begin) - (a->begin < b->begin);
}

vigil_status vigil_frame_list_parse(const char *text, vigil_frame_list *list, vigil_error *err) {
    vigil_frame_list_free(list);
    if (!text || !*text)
        return vigil_error_set(err, VIGIL_STATUS_INVALID_ARGUMENT, "--frames: empty list");
    int items = 1;
    for (const char *p = text; *p; p++)
        items += *p == ',';
    vigil_frame_range *ranges = malloc(sizeof *ranges * (size_t)items);
    if (!ranges)
        return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "--frames: out of memory");
    const char *s = text;
    for (int i = 0; i < items; i++) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        vigil_status st = parse_item(s, len, &ranges[i], err);
        if (st < 0) {
            free(ranges);
            return st;
        }
        s += len + 1;
    }
    qsort(ranges, (size_t)items, sizeof *ranges, compare_ranges);
    int n = 0;
    for (int i = 0; i < items; i++) {
        if (n > 0 && ranges[i].begin <= ranges[n - 1].end) {
            if (ranges[i].end > ranges[n - 1].end)
                ranges[n - 1].end = ranges[i].end;
        } else {
            ranges[n++] = ranges[i];
        }
    }
    list->ranges = ranges;
    list->count = n;
    return VIGIL_STATUS_OK;
}

bool vigil_frame_list_contains(const vigil_frame_list *list, int64_t index) {
    if (list->count == 0)
        return true;
    int lo = 0, hi = list->count - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (index < list->ranges[mid].begin)
            hi = mid - 1;
        else if (index >= list->ranges[mid].end)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

int64_t vigil_frame_list_end(const vigil_frame_list *list) {
    return list->count == 0 ? INT64_MAX : list->ranges[list->count - 1].end;
}
