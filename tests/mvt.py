"""A minimal Mapbox Vector Tile reader for tests: layers, features, ids and properties.

The MVT format is a small protobuf (spec 2.1); decoding it here keeps the tests on the bytes the
browser receives without a protobuf dependency. Geometry is read only as far as the first point.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes):
    """(field number, wire type, value) of one protobuf message."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = struct.unpack("<f", data[pos : pos + 4])[0], pos + 4
        elif wire == 1:
            value, pos = struct.unpack("<d", data[pos : pos + 8])[0], pos + 8
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value


def _packed(data: bytes) -> list[int]:
    values, pos = [], 0
    while pos < len(data):
        value, pos = _varint(data, pos)
        values.append(value)
    return values


def _value(data: bytes) -> object:
    for number, _wire, value in _fields(data):
        if number == 1:
            return value.decode()
        if number in (2, 3):
            return value
        if number in (4, 5):
            return value
        if number == 6:
            return (value >> 1) ^ -(value & 1)
        if number == 7:
            return bool(value)
    return None


@dataclass
class Feature:
    id: int | None
    properties: dict
    point: tuple[int, int] | None  # tile coordinates of the first point (0..extent)


@dataclass
class Layer:
    name: str
    extent: int = 4096
    features: list[Feature] = field(default_factory=list)


def decode(tile: bytes) -> dict[str, Layer]:  # noqa: C901  (one protobuf walk, kept whole)
    """Layers of an MVT by name."""
    layers = {}
    for number, _wire, raw in _fields(tile):
        if number != 3:
            continue
        name, keys, values, features, extent = "", [], [], [], 4096
        for n, _w, v in _fields(raw):
            if n == 1:
                name = v.decode()
            elif n == 2:
                features.append(v)
            elif n == 3:
                keys.append(v.decode())
            elif n == 4:
                values.append(_value(v))
            elif n == 5:
                extent = v
        layer = Layer(name, extent)
        for raw_feature in features:
            fid, tags, geometry = None, [], []
            for n, _w, v in _fields(raw_feature):
                if n == 1:
                    fid = v
                elif n == 2:
                    tags = _packed(v)
                elif n == 4:
                    geometry = _packed(v)
            props = {keys[tags[i]]: values[tags[i + 1]] for i in range(0, len(tags), 2)}
            point = None
            if len(geometry) >= 3:
                zig = lambda v: (v >> 1) ^ -(v & 1)  # noqa: E731
                point = (zig(geometry[1]), zig(geometry[2]))
            layer.features.append(Feature(fid, props, point))
        layers[name] = layer
    return layers


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The x/y of the Web-Mercator tile holding (lon, lat) at zoom z."""
    import math

    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
