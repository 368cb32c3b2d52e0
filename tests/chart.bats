#!/usr/bin/env bats
# The forecast charts as a person sees them: the SVG of tests/unit/chart_demo
# rendered to PNG by rsvg-convert (and by headless Chromium when Debian's
# chromium is installed), checked for its size and for ink where the lines
# are; and well-formed XML for a hostile title.
setup() {
	load test_helper
	DEMO="${AIOPS_BUILDDIR:-$BATS_TEST_DIRNAME/..}/tests/unit/chart_demo"
	[ -x "$DEMO" ] || skip "tests/unit/chart_demo is not built (make check builds it)"
}

# pngstat FILE [ROWS COLS]: a PNG (8 bits a sample, not interlaced) decoded
# with the standard library, as JSON: width, height, distinct colours, the
# share of pixels that are not the background (the commonest colour), the
# pixels near the history blue and the forecast orange of chart.c, and the
# blue ones in each cell of a ROWS x COLS grid (small multiples).
pngstat() {
	/usr/bin/python3 - "$@" <<'EOF'
import json, struct, sys, zlib
from collections import Counter
path = sys.argv[1]
rows, cols = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (1, 1)
data = open(path, 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, plte = 8, b'', None
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
    elif kind == b'PLTE':
        plte = body
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
assert depth == 8 and interlace == 0, 'only 8-bit, non-interlaced PNGs'
bpp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
raw, stride, prev, pix = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    for x in range(w):
        px = line[x * bpp:(x + 1) * bpp]
        if ctype == 3: px = plte[px[0] * 3:px[0] * 3 + 3]
        elif ctype in (0, 4): px = bytes([px[0]] * 3) + px[1:]
        if len(px) == 4 and px[3] < 255:    # over white, as a viewer shows it
            al = px[3] / 255
            px = bytes(round(v * al + 255 * (1 - al)) for v in px[:3])
        pix.append(bytes(px[:3]))
count = Counter(pix)
bg = count.most_common(1)[0][0]
near = lambda p, q: sum(abs(u - v) for u, v in zip(p, q)) < 60
blue, orange = bytes.fromhex('1f5fa8'), bytes.fromhex('e4690b')
cells = [0] * (rows * cols)
nblue = norange = 0
for i, p in enumerate(pix):
    if near(p, blue):
        nblue += 1
        y, x = divmod(i, w)
        cells[(y * rows // h) * cols + x * cols // w] += 1
    elif near(p, orange):
        norange += 1
print(json.dumps({'width': w, 'height': h, 'colours': len(count),
    'ink': round(1 - count[bg] / len(pix), 4), 'hist': nblue, 'forecast': norange,
    'cells': cells}))
EOF
}

@test "pngstat can tell a blank page from a chart" {
	printf '<svg xmlns="http://www.w3.org/2000/svg" width="90" height="60"><rect width="90" height="60" fill="#ffffff"/></svg>' \
		> "$BATS_TEST_TMPDIR/blank.svg"
	rsvg-convert -o "$BATS_TEST_TMPDIR/blank.png" "$BATS_TEST_TMPDIR/blank.svg"
	run -0 pngstat "$BATS_TEST_TMPDIR/blank.png"
	jq -e '.width == 90 and .height == 60 and .colours == 1 and .ink == 0 and .hist == 0' <<<"$output"
}

@test "the demo chart renders with rsvg-convert: its size, lines and labels" {
	command -v rsvg-convert || skip "rsvg-convert is not installed (scripts/deps --test)"
	"$DEMO" "$BATS_TEST_TMPDIR/demo.svg"
	rsvg-convert -o "$BATS_TEST_TMPDIR/demo.png" "$BATS_TEST_TMPDIR/demo.svg"
	run -0 pngstat "$BATS_TEST_TMPDIR/demo.png"
	echo "$output"
	# Antialiased text and lines give hundreds of colours; a blank or
	# all-black page gives one or two.
	jq -e '.width == 900 and .height == 600 and .colours > 100
	    and .ink > 0.05 and .ink < 0.6 and .hist > 1500 and .forecast > 400' <<<"$output"
}

@test "nine panels render as a 3 x 3 grid, each with its history" {
	command -v rsvg-convert || skip "rsvg-convert is not installed (scripts/deps --test)"
	"$DEMO" "$BATS_TEST_TMPDIR/grid.svg" 9
	rsvg-convert -o "$BATS_TEST_TMPDIR/grid.png" "$BATS_TEST_TMPDIR/grid.svg"
	run -0 pngstat "$BATS_TEST_TMPDIR/grid.png" 3 3
	echo "$output"
	jq -e '.width == 900 and .height == 600 and (.cells | length == 9 and min > 150)' <<<"$output"
}

@test "the demo chart renders in headless Chromium at its size" {
	local chromium
	chromium=$(command -v chromium || command -v chromium-browser) ||
		skip "Debian's chromium is not installed"
	"$DEMO" "$BATS_TEST_TMPDIR/demo.svg"
	# A page that shows the SVG as an image, at its own size, so the
	# screenshot is the chart whatever the browser does with a bare SVG.
	printf '<!DOCTYPE html><html><body style="margin:0"><img src="demo.svg"></body></html>\n' \
		> "$BATS_TEST_TMPDIR/demo.html"
	cd "$BATS_TEST_TMPDIR"
	run timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
		--hide-scrollbars --no-first-run --user-data-dir="$BATS_TEST_TMPDIR/profile" \
		--window-size=900,600 --screenshot="$BATS_TEST_TMPDIR/chromium.png" \
		"file://$BATS_TEST_TMPDIR/demo.html" 3>&-
	[ -s "$BATS_TEST_TMPDIR/chromium.png" ] || { echo "$output"; false; }
	run -0 pngstat "$BATS_TEST_TMPDIR/chromium.png"
	echo "$output"
	jq -e '.width == 900 and .height == 600 and .colours > 100
	    and .ink > 0.05 and .ink < 0.6 and .hist > 1500 and .forecast > 400' <<<"$output"
}

@test "a hostile title gives well-formed XML that keeps its text" {
	title=$'<script>alert("x")</script> & \'q\' ]]> \x01 {path=/var}'
	"$DEMO" "$BATS_TEST_TMPDIR/hostile.svg" 3 "$title"
	run -0 /usr/bin/python3 - "$BATS_TEST_TMPDIR/hostile.svg" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = '{http://www.w3.org/2000/svg}'
assert root.tag == ns + 'svg', root.tag
assert not list(root.iter(ns + 'script')), 'a title made an element'
titles = [t.text for t in root.iter(ns + 'text') if t.get('font-weight') == 'bold'
          and t.get('fill') == '#222222']
print('\n'.join(titles))
EOF
	echo "$output"
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "<script>alert(\"x\")</script> & 'q' ]]> ? {path=/var}" ]
}

@test "the demo chart is the same bytes every time" {
	"$DEMO" "$BATS_TEST_TMPDIR/a.svg" 5
	"$DEMO" "$BATS_TEST_TMPDIR/b.svg" 5
	cmp "$BATS_TEST_TMPDIR/a.svg" "$BATS_TEST_TMPDIR/b.svg"
}
