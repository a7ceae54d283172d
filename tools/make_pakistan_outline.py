"""Make static/map/pakistan.json, the outline of Pakistan the hubs map draws, from Natural Earth data.

Provenance (see static/map/README.md): Natural Earth's 1:50m Admin 0 countries
(public domain), as redistributed in TopoJSON by the npm package
`world-atlas@2` (file `countries-50m.json`, Natural Earth 4.1.0; ISC licence
for the packaging). Pakistan is the geometry with id "586" (ISO 3166-1 numeric).

Usage (no network access needed once the package is unpacked):

    cd /tmp && npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python tools/make_pakistan_outline.py /tmp/package/countries-50m.json

The script decodes the TopoJSON arcs (quantised, delta-encoded), simplifies the
ring with Ramer-Douglas-Peucker, projects it with an equirectangular projection
(longitude scaled by the cosine of the middle latitude, so that the country is
not stretched east-west) and writes the SVG path together with the projection's
parameters, so that the portal places the hubs with exactly the same projection
(`pillars.charts.MapProjection`). It uses only the standard library.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

COUNTRY_ID = "586"  # Pakistan, ISO 3166-1 numeric
OUT = Path(__file__).resolve().parent.parent / "static" / "map" / "pakistan.json"
WIDTH = 600.0  # SVG user units; the height follows from the country's shape
PADDING_DEGREES = 0.6  # room around the outline for hub markers and their labels
TOLERANCE_DEGREES = 0.02  # simplification: about 2 km, invisible at this size

Ring = list[tuple[float, float]]


def decode_arcs(topology: dict) -> list[Ring]:
    """Every arc of the topology in longitude/latitude (undoing quantisation and delta encoding)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: Ring = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_from(arc_indexes: list[int], arcs: list[Ring]) -> Ring:
    """Join the arcs of one ring; a negative index (~i) means arc i reversed."""
    ring: Ring = []
    for index in arc_indexes:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(points if not ring else points[1:])
    return ring


def polygons_of(topology: dict, country_id: str) -> list[list[Ring]]:
    arcs = decode_arcs(topology)
    for geometry in topology["objects"]["countries"]["geometries"]:
        if str(geometry.get("id")) != country_id:
            continue
        if geometry["type"] == "Polygon":
            return [[ring_from(ring, arcs) for ring in geometry["arcs"]]]
        return [[ring_from(ring, arcs) for ring in polygon] for polygon in geometry["arcs"]]
    raise SystemExit(f"No geometry with id {country_id!r} in the file.")


def _distance(point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]) -> float:
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify(ring: Ring, tolerance: float) -> Ring:
    """Ramer-Douglas-Peucker, iterative (a country ring can be long)."""
    if len(ring) < 4:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        worst, worst_index = 0.0, -1
        for i in range(first + 1, last):
            d = _distance(ring[i], ring[first], ring[last])
            if d > worst:
                worst, worst_index = d, i
        if worst > tolerance:
            keep[worst_index] = True
            stack += [(first, worst_index), (worst_index, last)]
    return [p for p, kept in zip(ring, keep, strict=True) if kept]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("countries", type=Path, help="world-atlas@2 countries-50m.json")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    topology = json.loads(args.countries.read_text())
    polygons = polygons_of(topology, COUNTRY_ID)
    points = [p for polygon in polygons for ring in polygon for p in ring]
    lon_min = min(p[0] for p in points) - PADDING_DEGREES
    lon_max = max(p[0] for p in points) + PADDING_DEGREES
    lat_min = min(p[1] for p in points) - PADDING_DEGREES
    lat_max = max(p[1] for p in points) + PADDING_DEGREES
    cos_lat = math.cos(math.radians((lat_min + lat_max) / 2))
    scale = WIDTH / ((lon_max - lon_min) * cos_lat)
    height = (lat_max - lat_min) * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - lon_min) * cos_lat * scale, (lat_max - lat) * scale

    commands: list[str] = []
    kept = 0
    for polygon in polygons:
        for ring in polygon:
            simple = simplify(ring, TOLERANCE_DEGREES)
            kept += len(simple)
            xy = [project(lon, lat) for lon, lat in simple]
            commands.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy[:-1]) + "Z")
    data = {
        "name": "Pakistan",
        "source": "Natural Earth 1:50m Admin 0 countries (public domain), via npm world-atlas@2 countries-50m.json",
        "generator": "tools/make_pakistan_outline.py",
        "projection": {
            "type": "equirectangular",
            "lon_min": round(lon_min, 6),
            "lat_max": round(lat_max, 6),
            "cos_lat": round(cos_lat, 9),
            "scale": round(scale, 9),
        },
        "width": round(WIDTH, 1),
        "height": round(height, 1),
        "path": "".join(commands),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    print(f"{args.out}: {len(points)} points simplified to {kept}, {len(data['path'])} characters of path.")


if __name__ == "__main__":
    main()
