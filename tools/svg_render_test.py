"""The chart as a browser draws it: tools/render_svg.sh screenshots the canned chart with headless
Chromium, and the PNG must show each passing row's bar in its colour, longest for the slowest,
and text (dark pixels) beside the bars."""
import os
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_lib  # noqa: E402
import compare_testdata as data  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def read_png(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    with open(path, "rb") as f:
        blob = f.read()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(blob):
        length, kind = struct.unpack(">I4s", blob[pos:pos + 8])
        body = blob[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if filter_type == 1:
                line[i] = (line[i] + left) & 0xFF
            elif filter_type == 2:
                line[i] = (line[i] + up) & 0xFF
            elif filter_type == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif filter_type == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
                line[i] = (line[i] + predictor) & 0xFF
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def rgb(hex_colour):
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


class SvgRenderTest(unittest.TestCase):

    def test_chromium_draws_the_bars(self):
        result = data.canned_result()
        with tempfile.TemporaryDirectory() as tmp:
            svg, png = os.path.join(tmp, "chart.svg"), os.path.join(tmp, "chart.png")
            with open(svg, "w") as f:
                f.write(compare_lib.render_svg(result))
            done = subprocess.run(["bash", os.path.join(HERE, "render_svg.sh"), svg, png],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  universal_newlines=True)
            self.assertEqual(done.returncode, 0, done.stdout)
            width, height, pixels = read_png(png)
        self.assertEqual(width, 1000)

        def longest_run(colour):
            """The widest horizontal run of exactly this colour: a bar's drawn length."""
            best = 0
            for row in pixels:
                run = 0
                for pixel in row:
                    run = run + 1 if pixel == colour else 0
                    best = max(best, run)
            return best

        baseline = longest_run(rgb(compare_lib.KIND_COLOURS["baseline"]))
        batched = longest_run(rgb(compare_lib.KIND_COLOURS["algorithm + data type"]))
        simd = longest_run(rgb(compare_lib.KIND_COLOURS["implementation"]))
        library = longest_run(rgb(compare_lib.KIND_COLOURS["library"]))
        # Stage 1 (8.5 s) > stage 2 (2.0 s) > stage 3 (0.45 s) > OpenBLAS (0.25 s), each drawn.
        self.assertGreater(baseline, batched)
        self.assertGreater(batched, simd)
        self.assertGreater(simd, library)
        self.assertGreater(library, 12)  # more than the legend's 12-pixel swatch
        dark = sum(1 for row in pixels for p in row if max(p) < 80)
        self.assertGreater(dark, 2000)  # the labels, figures and machine line were drawn
        failed = sum(1 for row in pixels for p in row if p[0] > 150 and p[1] < 60 and p[2] < 60)
        self.assertGreater(failed, 50)  # the red FAILED rows


if __name__ == "__main__":
    unittest.main()
