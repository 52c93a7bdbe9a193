"""Read the QR code of a printed notice the way a phone would: rasterise the SVG that is on
the page (segno draws each dark run as a horizontal 1-unit stroke) and decode it with zxing-cpp."""

import re

import zxingcpp
from PIL import Image, ImageDraw

TOKEN = re.compile(r"([MmHhVv])\s*(-?\d+(?:\.\d+)?)(?:\s+(-?\d+(?:\.\d+)?))?")


def find_svg(html):
    match = re.search(r"<svg\b[^>]*class=\"qr\".*?</svg>", html, re.S)
    assert match, 'no QR code <svg class="qr"> on the page'
    return match.group(0)


def rasterise(svg, pixels_per_module=8):
    view = re.search(r'viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"', svg)
    scale_attr = re.search(r'transform="scale\((\d+(?:\.\d+)?)\)"', svg)
    scale = float(scale_attr.group(1)) if scale_attr else 1.0
    modules = round(float(view.group(1)) / scale)
    path = re.search(r'\bd="([^"]+)"', svg).group(1)
    image = Image.new("L", (modules * pixels_per_module, modules * pixels_per_module), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, a, b in TOKEN.findall(path):
        a = float(a)
        if command == "M":
            x, y = a, float(b)
        elif command == "m":
            x, y = x + a, y + float(b)
        elif command in "hH":
            end = x + a if command == "h" else a
            top = (y - 0.5) * pixels_per_module  # a stroke of width 1 centred on y
            left, right = sorted((x, end))
            draw.rectangle(
                [left * pixels_per_module, top, right * pixels_per_module - 1, top + pixels_per_module - 1], fill=0
            )
            x = end
        else:
            raise AssertionError(f"unexpected path command {command}")
    return image


def decode(image):
    results = zxingcpp.read_barcodes(image)
    assert results, "no QR code could be read"
    return results[0].text
