#include "geometry.h"

#include <math.h>

static double cross(vigil_point o, vigil_point a, vigil_point b) {
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

static bool on_segment(vigil_point a, vigil_point b, vigil_point p) {
    return fmin(a.x, b.x) <= p.x && p.x <= fmax(a.x, b.x) && fmin(a.y, b.y) <= p.y &&
           p.y <= fmax(a.y, b.y);
}

static int sign(double v) {
    return (v > 0) - (v < 0);
}

bool vigil_geometry_segments_intersect(vigil_point p1, vigil_point p2, vigil_point q1,
                                       vigil_point q2) {
    int d1 = sign(cross(q1, q2, p1)), d2 = sign(cross(q1, q2, p2));
    int d3 = sign(cross(p1, p2, q1)), d4 = sign(cross(p1, p2, q2));
    if (d1 * d2 < 0 && d3 * d4 < 0)
        return true;
    return (d1 == 0 && on_segment(q1, q2, p1)) || (d2 == 0 && on_segment(q1, q2, p2)) ||
           (d3 == 0 && on_segment(p1, p2, q1)) || (d4 == 0 && on_segment(p1, p2, q2));
}

bool vigil_geometry_polygon_contains(const vigil_point *poly, int n, vigil_point p) {
    bool inside = false;
    for (int i = 0, j = n - 1; i < n; j = i++) {
        vigil_point a = poly[j], b = poly[i];
        if (sign(cross(a, b, p)) == 0 && on_segment(a, b, p))
            return true;
        if ((b.y > p.y) != (a.y > p.y)) {
            double x = b.x + (p.y - b.y) * (a.x - b.x) / (a.y - b.y);
            if (p.x < x)
                inside = !inside;
        }
    }
    return inside;
}

double vigil_geometry_polygon_area(const vigil_point *poly, int n) {
    double s = 0;
    for (int i = 0, j = n - 1; i < n; j = i++)
        s += poly[j].x * poly[i].y - poly[i].x * poly[j].y;
    return fabs(s) / 2;
}

bool vigil_geometry_polygon_self_intersects(const vigil_point *poly, int n, int *edge_a,
                                            int *edge_b) {
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            /* Adjacent edges share a vertex by construction. */
            if (j == i + 1 || (i == 0 && j == n - 1))
                continue;
            if (vigil_geometry_segments_intersect(poly[i], poly[(i + 1) % n], poly[j],
                                                  poly[(j + 1) % n])) {
                *edge_a = i;
                *edge_b = j;
                return true;
            }
        }
    }
    return false;
}

double vigil_geometry_side(vigil_point a, vigil_point b, vigil_point p) {
    double dx = b.x - a.x, dy = b.y - a.y, len = hypot(dx, dy);
    if (len == 0)
        return 0;
    return (-dy * (p.x - a.x) + dx * (p.y - a.y)) / len;
}

/* Gaussian elimination with partial pivoting on an n x (n+1) augmented matrix. */
static bool solve(int n, double m[8][9], double x[8]) {
    for (int c = 0; c < n; c++) {
        int best = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(m[r][c]) > fabs(m[best][c]))
                best = r;
        if (fabs(m[best][c]) < 1e-12)
            return false;
        for (int k = 0; k <= n; k++) {
            double t = m[c][k];
            m[c][k] = m[best][k];
            m[best][k] = t;
        }
        for (int r = 0; r < n; r++) {
            if (r == c)
                continue;
            double f = m[r][c] / m[c][c];
            for (int k = c; k <= n; k++)
                m[r][k] -= f * m[c][k];
        }
    }
    for (int i = 0; i < n; i++)
        x[i] = m[i][n] / m[i][i];
    return true;
}

bool vigil_geometry_homography(const vigil_point image[4], const vigil_point world[4],
                               double h[9]) {
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            for (int k = j + 1; k < 4; k++)
                if (fabs(cross(image[i], image[j], image[k])) < 1e-9 ||
                    fabs(cross(world[i], world[j], world[k])) < 1e-9)
                    return false;
    double m[8][9];
    for (int i = 0; i < 4; i++) {
        double x = image[i].x, y = image[i].y, u = world[i].x, v = world[i].y;
        double r0[9] = {x, y, 1, 0, 0, 0, -u * x, -u * y, u};
        double r1[9] = {0, 0, 0, x, y, 1, -v * x, -v * y, v};
        for (int k = 0; k < 9; k++) {
            m[2 * i][k] = r0[k];
            m[2 * i + 1][k] = r1[k];
        }
    }
    double sol[8];
    if (!solve(8, m, sol))
        return false;
    for (int i = 0; i < 8; i++)
        h[i] = sol[i];
    h[8] = 1;
    return true;
}

vigil_point vigil_geometry_apply_homography(const double h[9], vigil_point p) {
    double w = h[6] * p.x + h[7] * p.y + h[8];
    if (w == 0)
        w = 1e-12;
    return (vigil_point){(h[0] * p.x + h[1] * p.y + h[2]) / w,
                         (h[3] * p.x + h[4] * p.y + h[5]) / w};
}

vigil_point vigil_geometry_anchor(const float box[4], vigil_anchor anchor) {
    double x = box[0] + box[2] / 2.0;
    double y = anchor == VIGIL_ANCHOR_CENTER ? box[1] + box[3] / 2.0 : box[1] + box[3];
    return (vigil_point){x, y};
}
