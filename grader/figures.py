"""Pictures for reports, drawn by grader code on the host: grayscale image grids as PNG, no plotting library.

Usage::

    figure = image_grid_figure(
        [originals[:8], reconstructions[:8]],           # one row per array: (n, h, w), or (n, h*w) with image_shape
        title="Reconstructions",
        caption="Top: test images; bottom: your reconstructions.",
        image_shape=(28, 28),
    )
    result = CheckResult(..., figures=[figure])

Pixel values are read as intensities in [0, 1] (float) or 0..255 (integer) and clipped; white is 1.0.
Images are separated by a mid-gray gutter so black-background pictures (MNIST) stay apart. The PNG is
written with ``zlib`` only (8-bit grayscale, no filtering), small enough to embed in an HTML report.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

from grader.results import Figure

__all__ = ["image_grid", "image_grid_figure", "image_grid_png", "png_bytes"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GUTTER_LEVEL = 128


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def png_bytes(pixels: np.ndarray) -> bytes:
    """An 8-bit grayscale PNG of a 2-D uint8 array (rows x columns)."""
    pixels = np.asarray(pixels)
    if pixels.ndim != 2 or pixels.dtype != np.uint8 or 0 in pixels.shape:
        raise ValueError(f"png_bytes needs a non-empty 2-D uint8 array, got {pixels.dtype} of shape {pixels.shape}")
    height, width = pixels.shape
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8 bits, grayscale, deflate, no filter, no interlace
    # Each scanline starts with its filter type; 0 (none) keeps the encoder trivial.
    raw = np.hstack([np.zeros((height, 1), dtype=np.uint8), pixels]).tobytes()
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")


def _as_levels(images: np.ndarray) -> np.ndarray:
    if images.dtype.kind in "iu":
        return np.clip(images, 0, 255).astype(np.uint8)
    values = np.nan_to_num(images.astype(np.float64), nan=0.0, posinf=1.0, neginf=0.0)
    return np.rint(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)


def image_grid(rows: list[np.ndarray], image_shape: tuple[int, int] | None = None, gutter: int = 2, scale: int = 1) -> np.ndarray:
    """The rows of images tiled into one uint8 picture; a short row leaves its remaining cells gray."""
    if not rows:
        raise ValueError("image_grid needs at least one row")
    shaped = []
    for row in rows:
        row = np.asarray(row)
        if image_shape is not None:
            row = row.reshape(len(row), *image_shape)
        if row.ndim != 3:
            raise ValueError(f"each row must hold images of shape (n, height, width); got {row.shape} (pass image_shape for flat images)")
        shaped.append(_as_levels(row))
    height, width = shaped[0].shape[1:]
    if any(row.shape[1:] != (height, width) for row in shaped):
        raise ValueError("every image in a grid must have the same height and width")
    columns = max(len(row) for row in shaped)
    cell_h, cell_w = height * scale, width * scale
    grid = np.full((gutter + len(shaped) * (cell_h + gutter), gutter + columns * (cell_w + gutter)), GUTTER_LEVEL, dtype=np.uint8)
    for r, row in enumerate(shaped):
        for c, image in enumerate(row):
            top, left = gutter + r * (cell_h + gutter), gutter + c * (cell_w + gutter)
            grid[top : top + cell_h, left : left + cell_w] = np.kron(image, np.ones((scale, scale), dtype=np.uint8))
    return grid


def image_grid_png(rows: list[np.ndarray], image_shape: tuple[int, int] | None = None, gutter: int = 2, scale: int = 1) -> bytes:
    """``image_grid`` encoded as PNG bytes."""
    return png_bytes(image_grid(rows, image_shape, gutter, scale))


def image_grid_figure(rows: list[np.ndarray], title: str, caption: str = "", image_shape: tuple[int, int] | None = None, gutter: int = 2, scale: int = 2) -> Figure:
    """``image_grid`` as a report ``Figure`` (base64 PNG)."""
    encoded = base64.b64encode(image_grid_png(rows, image_shape, gutter, scale)).decode("ascii")
    return Figure(title=title, caption=caption, png_base64=encoded)
