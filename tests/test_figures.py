"""Figures are real PNGs: decoded here with zlib alone, chunk by chunk, to the exact pixels drawn."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import pytest

from grader.figures import GUTTER_LEVEL, image_grid, image_grid_figure, image_grid_png, png_bytes


def decode_png(data: bytes) -> np.ndarray:
    """A minimal PNG reader for what png_bytes writes: 8-bit grayscale, filter 0, CRCs verified."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, payload = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + payload) & 0xFFFFFFFF, kind
        chunks.append((kind, payload))
        position += 12 + length
    assert [kind for kind, _ in chunks][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, color, compression, filtering, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, color, compression, filtering, interlace) == (8, 0, 0, 0, 0)
    raw = zlib.decompress(b"".join(payload for kind, payload in chunks if kind == b"IDAT"))
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, width + 1)
    assert np.all(rows[:, 0] == 0)  # filter type "none" on every scanline
    return rows[:, 1:]


def test_png_round_trip_of_every_level():
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    assert np.array_equal(decode_png(png_bytes(pixels)), pixels)


def test_png_of_a_non_square_picture_keeps_width_and_height():
    pixels = np.zeros((3, 7), dtype=np.uint8)
    pixels[1, 5] = 200
    decoded = decode_png(png_bytes(pixels))
    assert decoded.shape == (3, 7) and decoded[1, 5] == 200 and decoded.sum() == 200


@pytest.mark.parametrize("bad", [np.zeros((4, 4), dtype=np.float32), np.zeros((2, 2, 2), dtype=np.uint8), np.zeros((0, 3), dtype=np.uint8)])
def test_png_refuses_what_it_cannot_encode(bad):
    with pytest.raises(ValueError, match="2-D uint8"):
        png_bytes(bad)


def test_grid_dimensions_gutters_and_placement():
    first = np.zeros((3, 4, 5))  # 3 images of 4x5, float in [0, 1]
    first[1] = 1.0
    second = np.full((2, 20), 0.5)  # flat images, a shorter row
    decoded = decode_png(image_grid_png([first, second], image_shape=(4, 5), gutter=1, scale=2))
    cell_h, cell_w = 8, 10
    assert decoded.shape == (1 + 2 * (cell_h + 1), 1 + 3 * (cell_w + 1))
    assert np.all(decoded[0, :] == GUTTER_LEVEL) and np.all(decoded[:, 0] == GUTTER_LEVEL)
    top, left = 1, 1 + (cell_w + 1)  # row 0, column 1: the white image, scaled
    assert np.all(decoded[top : top + cell_h, left : left + cell_w] == 255)
    assert np.all(decoded[1 : 1 + cell_h, 1 : 1 + cell_w] == 0)
    second_row = 1 + cell_h + 1
    assert np.all(decoded[second_row : second_row + cell_h, 1 : 1 + cell_w] == 128)  # 0.5 -> 128
    missing = decoded[second_row : second_row + cell_h, 1 + 2 * (cell_w + 1) :][:, :cell_w]
    assert np.all(missing == GUTTER_LEVEL)  # the short row's empty cell stays gray


def test_grid_clips_out_of_range_and_nan_values():
    grid = image_grid([np.array([[[-1.0, 2.0], [np.nan, 0.25]]])], gutter=0)
    assert grid.tolist() == [[0, 255], [0, 64]]


def test_grid_refuses_images_of_different_sizes():
    with pytest.raises(ValueError, match="same height and width"):
        image_grid([np.zeros((1, 2, 2)), np.zeros((1, 3, 3))])


def test_figure_embeds_the_png_as_base64():
    figure = image_grid_figure([np.zeros((8, 784)), np.ones((8, 784))], title="Reconstructions", caption="Top: originals.", image_shape=(28, 28))
    decoded = decode_png(base64.b64decode(figure.png_base64))
    assert decoded.shape == (2 + 2 * (56 + 2), 2 + 8 * (56 + 2))  # default scale 2, gutter 2
    assert figure.title == "Reconstructions" and figure.caption == "Top: originals." and figure.svg is None
