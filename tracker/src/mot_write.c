/* Writing MOT Challenge text, with enough digits that ground truth survives a round trip. */
#include "vigil/mot.h"

#include <errno.h>
#include <string.h>

vigil_status vigil_mot_write(FILE *stream, const vigil_mot_record *records, int n,
                             vigil_error *err) {
    for (int i = 0; i < n; i++) {
        const vigil_mot_record *r = &records[i];
        if (fprintf(stream, "%d,%d,%.2f,%.2f,%.2f,%.2f,%.6g,%d,%.6g\n", r->frame, r->id,
                    (double)r->box[0], (double)r->box[1], (double)r->box[2], (double)r->box[3],
                    (double)r->score, r->class_id, (double)r->visibility) < 0)
            return vigil_error_set(err, VIGIL_STATUS_IO, "MOT write failed at record %d: %s", i,
                                   strerror(errno));
    }
    return VIGIL_STATUS_OK;
}

vigil_status vigil_mot_write_file(const char *path, const vigil_mot_record *records, int n,
                                  vigil_error *err) {
    FILE *f = fopen(path, "w");
    if (!f)
        return vigil_error_set(err, VIGIL_STATUS_IO, "%s: %s", path, strerror(errno));
    vigil_status status = vigil_mot_write(f, records, n, err);
    if (status < 0)
        vigil_error_prefix(err, "%s: ", path);
    if (fclose(f) != 0 && status == VIGIL_STATUS_OK)
        status = vigil_error_set(err, VIGIL_STATUS_IO, "%s: %s", path, strerror(errno));
    return status;
}
