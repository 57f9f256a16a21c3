"""Renders `rebuy evaluate --report` in headless Chromium (Debian's package) and checks it.

The page must load with nothing from the network, hold every chart (ROC, precision-recall,
lift, gain, calibration, histogram, confusion matrix, facts) as inline SVG, and its screenshot
must not be blank: many distinct colours, and chart colours present.

    python Notebooks/checks/report_check.py [path/to/rebuy]
"""
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ["roc", "pr", "lift", "gain", "calibration", "histogram", "confusion", "facts"]


def png_pixels(path):
    """Decodes an 8-bit RGB or RGBA PNG (what Chromium writes): (width, height, rows of bytes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour = header[0], header[1], header[2], header[3]
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format {depth}/{colour}"
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous, offset = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def main():
    rebuy = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build" / "debug" / "rebuy")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("report check: chromium is not installed (scripts/setup --browser installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        page = tmp / "report.html"
        subprocess.run([rebuy, "evaluate", str(ROOT / "Models" / "example-logistic.json"),
                        str(ROOT / "Datasets" / "transactions.csv"), "--cutoff", "2024-09-30", "--report", str(page)],
                       check=True, capture_output=True)
        html = page.read_text()
        assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html, "the page refers to the network"
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,1400"]
        dom = subprocess.run([browser, *flags, "--dump-dom", page.as_uri()], check=True, capture_output=True, text=True).stdout
        missing = [chart for chart in CHARTS if f'id="{chart}"' not in dom]
        assert not missing, f"charts missing from the rendered page: {missing}"
        assert dom.count("<svg") >= 6, "fewer than six SVG charts rendered"
        shot = tmp / "report.png"
        subprocess.run([browser, *flags, f"--screenshot={shot}", page.as_uri()], check=True, capture_output=True)
        width, height, channels, rows = png_pixels(shot)
        colours = set()
        blue = 0
        for row in rows[::4]:
            for x in range(0, width * channels, channels * 4):
                pixel = row[x:x + 3]
                colours.add(pixel)
                if pixel[2] > 200 and pixel[0] < 80:
                    blue += 1
        assert len(colours) > 50, f"the screenshot looks blank ({len(colours)} colours)"
        assert blue > 100, "no chart colour in the screenshot"
        print(f"report check passed: {len(CHARTS)} charts in the DOM, screenshot {width}×{height} with {len(colours)} colours")


if __name__ == "__main__":
    main()
