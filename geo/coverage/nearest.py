"""Distance (m) from each point to the nearest of a set of facilities, on the WGS84 ellipsoid.

What ``min(ST_Distance(point::geography, facility::geography))`` over every facility gives
in PostGIS, for thousands of points at once (access to services, :mod:`geo.coverage.access`):
at national scale ~23,000 look-ups that PostGIS answered one KNN subquery at a time.

* Candidates come from a k-d tree (scipy) on Earth-centred 3-D coordinates of the points on
  the ellipsoid: the straight-line (chord) distance between two points is never longer than
  the geodesic between them, and it is the same measure in every direction and latitude
  (unlike degrees of longitude, which shrink towards the pole).
* The candidates are measured with GeographicLib's geodesic (``pyproj.Geod``), the
  algorithm PostGIS uses for geography distances, rounded as PostGIS rounds them (to 1e-8 m).
* Exact, not approximate: a facility beyond the candidates is measured too whenever its
  chord is not longer than the shortest geodesic found, so no nearer one is ever skipped.
"""

from __future__ import annotations

import logging

import numpy as np
from pyproj import Geod
from scipy.spatial import cKDTree

log = logging.getLogger(__name__)

_GEOD = Geod(ellps="WGS84")
_A = 6378137.0  # WGS84 semi-major axis (m)
_E2 = _GEOD.es  # first eccentricity squared
#: Candidates per point measured on the geodesic before the bound is checked.
_CANDIDATES = 4
#: Slack (m) on the chord bound: float rounding of the 3-D coordinates is ~1e-9 m.
_SLACK = 1e-3


def ecef(lonlat: np.ndarray) -> np.ndarray:
    """Earth-centred 3-D coordinates (m) of ``(lon, lat)`` degrees on the WGS84 ellipsoid."""
    lon, lat = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    sin_lat = np.sin(lat)
    n = _A / np.sqrt(1.0 - _E2 * sin_lat * sin_lat)  # prime vertical radius of curvature
    r = n * np.cos(lat)
    return np.column_stack((r * np.cos(lon), r * np.sin(lon), n * (1.0 - _E2) * sin_lat))


def geodesic_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Geodesic distance (m) between rows of ``a`` and ``b`` (``(lon, lat)`` degrees).

    The value PostGIS's ``ST_Distance(geography, geography)`` gives for two points: it
    turns degrees into radians and back before GeographicLib (done alike here, so the
    same doubles go in), then rounds to 1e-8 m, halves away from zero like C's ``round``.
    """
    if len(a) == 0:
        return np.empty(0)
    lon1, lat1, lon2, lat2 = (np.pi * v / 180.0 * 180.0 / np.pi for v in (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    d = _GEOD.inv(lon1, lat1, lon2, lat2)[2] * 1e8
    whole = np.floor(d)
    return (whole + (d - whole >= 0.5)) / 1e8


def nearest_distance_m(points: np.ndarray, facilities: np.ndarray) -> np.ndarray:
    """Geodesic distance (m) from each point to its nearest facility; NaN when there is none.

    ``points`` and ``facilities``: arrays of ``(lon, lat)`` degrees (EPSG:4326).
    """
    n, m = len(points), len(facilities)
    best = np.full(n, np.nan)
    if n == 0 or m == 0:
        return best
    tree = cKDTree(ecef(facilities))
    xyz = ecef(points)
    k = min(_CANDIDATES, m)
    chord, idx = tree.query(xyz, k=k)
    chord, idx = chord.reshape(n, k), idx.reshape(n, k)
    best = geodesic_m(points, facilities[idx[:, 0]])
    # A further candidate can be nearer only if its chord (a lower bound of its geodesic)
    # is not longer than the best geodesic so far: rare, near-equidistant facilities.
    for j in range(1, k):
        open_ = chord[:, j] <= best + _SLACK
        if open_.any():
            best[open_] = np.minimum(best[open_], geodesic_m(points[open_], facilities[idx[open_, j]]))
    # The same bound past the k-th candidate: every facility within it is measured.
    beyond = np.flatnonzero(chord[:, -1] <= best + _SLACK) if k < m else np.empty(0, dtype=np.int64)
    for i in beyond:
        near = np.asarray(tree.query_ball_point(xyz[i], best[i] + _SLACK), dtype=np.int64)
        d = geodesic_m(np.repeat(points[i : i + 1], len(near), axis=0), facilities[near])
        best[i] = min(best[i], float(d.min()))
    if len(beyond):
        log.debug("nearest: %d of %d points measured past %d candidates", len(beyond), n, k)
    return best
