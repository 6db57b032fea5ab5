/* The growable record list behind vigil_mot_records, and frame-range helpers. */
#include "vigil/mot.h"

#include <stdlib.h>

vigil_status vigil_mot_records_push(vigil_mot_records *records, const vigil_mot_record *record,
                                    vigil_error *err) {
    if (records->count == records->capacity) {
        int capacity = records->capacity ? 2 * records->capacity : 256;
        vigil_mot_record *items = realloc(records->items, (size_t)capacity * sizeof *items);
        if (!items)
            return vigil_error_set(err, VIGIL_STATUS_NO_MEMORY, "MOT records: out of memory at %d",
                                   records->count);
        records->items = items;
        records->capacity = capacity;
    }
    records->items[records->count++] = *record;
    return VIGIL_STATUS_OK;
}

void vigil_mot_records_reset(vigil_mot_records *records) {
    records->count = 0;
}

void vigil_mot_records_free(vigil_mot_records *records) {
    free(records->items);
    records->items = NULL;
    records->count = records->capacity = 0;
}

int vigil_mot_frame_end(const vigil_mot_records *records, int begin) {
    int end = begin;
    while (end < records->count && records->items[end].frame == records->items[begin].frame)
        end++;
    return end;
}

int vigil_mot_last_frame(const vigil_mot_records *records) {
    int last = 0;
    for (int i = 0; i < records->count; i++)
        if (records->items[i].frame > last)
            last = records->items[i].frame;
    return last;
}
