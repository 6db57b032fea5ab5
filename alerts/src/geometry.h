/* Plane geometry for zones and lines: point in polygon, segment intersection,
 * polygon checks, and the homography of four point pairs. */
#ifndef VIGIL_ALERTS_GEOMETRY_H
#define VIGIL_ALERTS_GEOMETRY_H

#include <stdbool.h>

#include "vigil/rules.h"

/* Even-odd rule; points on an edge count as inside. */
bool vigil_geometry_polygon_contains(const vigil_point *poly, int n, vigil_point p);
double vigil_geometry_polygon_area(const vigil_point *poly, int n);
/* First pair of non-adjacent edges that touch or cross, as edge start indexes; false
 * when the polygon is simple. */
bool vigil_geometry_polygon_self_intersects(const vigil_point *poly, int n, int *edge_a,
                                            int *edge_b);
/* Whether segments p1-p2 and q1-q2 share a point (touching counts). */
bool vigil_geometry_segments_intersect(vigil_point p1, vigil_point p2, vigil_point q1,
                                       vigil_point q2);
/* Signed distance of p from the line through a and b: positive on the right of a->b in
 * image coordinates (y down), i.e. along the normal (-(b.y-a.y), b.x-a.x) / |b-a|. */
double vigil_geometry_side(vigil_point a, vigil_point b, vigil_point p);

/* Solves for H with H * image[i] ~ world[i] (h[8] = 1). False when three of the points
 * are collinear or the system is singular. */
bool vigil_geometry_homography(const vigil_point image[4], const vigil_point world[4], double h[9]);
vigil_point vigil_geometry_apply_homography(const double h[9], vigil_point p);

/* The point of box (x, y, w, h) that stands for the object. */
vigil_point vigil_geometry_anchor(const float box[4], vigil_anchor anchor);

#endif
