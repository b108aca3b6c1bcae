"""Measurements taken inside the page: text size, contrast, tap targets, labels, overflow.

Each ``*_problems`` function returns a list of readable strings, one per offending
element, so an assertion shows exactly what broke (``[]`` when all is well).  They read
computed styles and layout boxes, so they measure what the phone shows, not what the
stylesheet intends.  They need JavaScript evaluation, which Playwright provides even in a
context whose pages have JavaScript disabled.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PHONE = {"width": 360, "height": 640}  # CSS pixels, at a device pixel ratio of 2
# 200 % browser zoom on that phone: Chrome halves the CSS viewport and doubles the
# device pixel ratio, so pages lay out exactly as in a 180x320 viewport.
PHONE_ZOOM_200 = {"width": 180, "height": 320}

MIN_TEXT_PX = 18.0
MIN_TARGET_PX = 44.0
MIN_CONTRAST = 4.5

# Shared helpers, defined once per evaluation.
_HELPERS = r"""
const hiddenByClip = (el) => {
  for (let a = el; a && a.nodeType === 1; a = a.parentElement) {
    const cs = getComputedStyle(a);
    if (cs.display === 'none' || cs.visibility === 'hidden') return true;
    const r = a.getBoundingClientRect();
    if ((cs.clipPath !== 'none' || cs.clip !== 'auto' || cs.overflow === 'hidden')
        && r.width <= 1 && r.height <= 1) return true;
  }
  return false;
};
const describe = (el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += '#' + el.id;
  else if (el.classList.length) name += '.' + [...el.classList].join('.');
  const text = (el.innerText || el.value || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return text ? `${name} "${text}"` : name;
};
// Rendered text nodes: non-blank, laid out (a box bigger than a pixel), not clipped away.
const textNodes = () => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'OPTION', 'NOSCRIPT'].includes(el.tagName)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const box = range.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) continue;
    if (hiddenByClip(el)) continue;
    out.push(el);
  }
  return [...new Set(out)];
};
// The size text is drawn at, in CSS px: an SVG chart's text is scaled with its drawing.
const renderedSize = (el) => {
  let size = parseFloat(getComputedStyle(el).fontSize);
  if (el instanceof SVGElement && el.getScreenCTM && el.getScreenCTM()) {
    const m = el.getScreenCTM();
    size *= Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
  }
  return size;
};
"""

_TEXT_SIZES = (
    "(minPx) => {"
    + _HELPERS
    + r"""
  const bad = [];
  for (const el of textNodes()) {
    const size = renderedSize(el);
    if (size < minPx) bad.push(`${describe(el)}: ${+size.toFixed(1)}px`);
  }
  return bad;
}"""
)

_BODY_SIZE = "() => parseFloat(getComputedStyle(document.body).fontSize)"

_CONTRAST = (
    "(minRatio) => {"
    + _HELPERS
    + r"""
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;  // e.g. color(srgb ...) : not used by this stylesheet
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  // The colour behind an element: its own and its ancestors' backgrounds, composited.
  const background = (el) => {
    const layers = [];
    for (let a = el; a && a.nodeType === 1; a = a.parentElement) {
      const bg = parse(getComputedStyle(a).backgroundColor);
      if (bg && bg.a > 0) {
        layers.push(bg);
        if (bg.a >= 1) break;
      }
    }
    let colour = {r: 255, g: 255, b: 255, a: 1};  // the canvas
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const lum = (c) => {
    const ch = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
  };
  const bad = [];
  let worst = Infinity;
  for (const el of textNodes()) {
    const bg = background(el);
    // SVG text is painted with its fill (measured against the page behind the chart).
    const cs = getComputedStyle(el);
    const ink = el instanceof SVGElement && parse(cs.fill) ? cs.fill : cs.color;
    const fg = over(parse(ink), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    worst = Math.min(worst, ratio);
    if (ratio < minRatio) bad.push(`${describe(el)}: ${ratio.toFixed(2)}:1`);
  }
  return {bad, worst};
}"""
)

_TAP_TARGETS = (
    "(minPx) => {"
    + _HELPERS
    + r"""
  const bad = [];
  const controls = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]');
  for (const el of controls) {
    if (hiddenByClip(el)) continue;
    let target = el;
    if (el.type === 'radio' || el.type === 'checkbox') {
      // The label is the tap target; the small native control sits inside it.
      const label = el.labels && el.labels[0];
      if (!label) { bad.push(`${describe(el)}: no label to tap`); continue; }
      const a = el.getBoundingClientRect(), b = label.getBoundingClientRect();
      if (a.left < b.left - 1 || a.right > b.right + 1 || a.top < b.top - 1 || a.bottom > b.bottom + 1)
        bad.push(`${describe(el)}: control outside its label`);
      target = label;
    }
    const r = target.getBoundingClientRect();
    if (r.width < minPx || r.height < minPx)
      bad.push(`${describe(target)}: ${r.width.toFixed(0)}x${r.height.toFixed(0)}px`);
  }
  return bad;
}"""
)

_LABELS = (
    "() => {"
    + _HELPERS
    + r"""
  const bad = [];
  const named = (el) => {
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
    const byIds = ids.map((id) => document.getElementById(id)).filter(Boolean)
      .map((x) => x.textContent.trim()).join('');
    const byLabels = [...(el.labels || [])].map((l) => l.textContent.trim()).join('');
    return Boolean(byLabels || byIds || (el.getAttribute('aria-label') || '').trim());
  };
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, progress')) {
    if (!named(el)) bad.push(`${describe(el)}: no label`);
    if (el.type === 'radio' || el.type === 'checkbox') {
      const group = el.closest('fieldset');
      const legend = group && group.querySelector(':scope > legend');
      if (!legend || !legend.textContent.trim()) bad.push(`${describe(el)}: group has no legend`);
    }
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    if (hiddenByClip(el) && el.getAttribute('aria-hidden') === 'true') continue;
    if (!(el.textContent.trim() || el.getAttribute('aria-label'))) bad.push(`${describe(el)}: no text`);
  }
  return bad;
}"""
)

_OVERFLOW = (
    "() => {"
    + _HELPERS
    + r"""
  const root = document.documentElement;
  const width = root.clientWidth;
  const bad = [];
  if (root.scrollWidth > width + 1) bad.push(`page is ${root.scrollWidth}px wide in a ${width}px viewport`);
  const controls = [...document.querySelectorAll('a[href], button, input, select, textarea, label')]
    .filter((el) => el.type !== 'hidden' && !hiddenByClip(el));
  for (const el of new Set([...textNodes(), ...controls])) {
    const r = el.getBoundingClientRect();
    if (r.width < 1 && r.height < 1) continue;
    if (r.right > width + 1 || r.left < -1) bad.push(`${describe(el)}: spans ${r.left.toFixed(0)}..${r.right.toFixed(0)}px`);
  }
  return bad;
}"""
)


def text_size_problems(page: Any, min_px: float = MIN_TEXT_PX) -> list[str]:
    """Every rendered piece of text smaller than ``min_px`` CSS pixels."""
    return page.evaluate(_TEXT_SIZES, min_px)


def body_font_px(page: Any) -> float:
    return page.evaluate(_BODY_SIZE)


def contrast(page: Any, min_ratio: float = MIN_CONTRAST) -> tuple[list[str], float]:
    """Text whose colour on its effective background is below ``min_ratio`` (WCAG 2.1
    relative luminance), and the lowest ratio on the page."""
    found = page.evaluate(_CONTRAST, min_ratio)
    return found["bad"], found["worst"]


def tap_target_problems(page: Any, min_px: float = MIN_TARGET_PX) -> list[str]:
    """Controls (links, buttons, fields; a radio's label) smaller than ``min_px`` either way."""
    return page.evaluate(_TAP_TARGETS, min_px)


def label_problems(page: Any) -> list[str]:
    """Fields without a label, radios outside a fieldset with a legend, buttons without text."""
    return page.evaluate(_LABELS)


def overflow_problems(page: Any) -> list[str]:
    """Horizontal scrolling: the page, or any text or control, wider than the viewport."""
    return page.evaluate(_OVERFLOW)


def assert_phone_basics(page: Any) -> None:
    """The checks that need no script on the page: no horizontal scrolling, 44 px tap
    targets, every field labelled, 18 px text; a failure names the offending elements."""
    for problems in (
        overflow_problems(page),
        tap_target_problems(page),
        label_problems(page),
        text_size_problems(page),
    ):
        assert not problems, problems


def axe_source() -> str | None:
    """``axe.min.js`` from ``$SURVEYAPP_AXE_JS`` or the CI cache, else None."""
    default = Path.home() / ".cache/surveyapp-axe/node_modules/axe-core/axe.min.js"
    path = Path(os.environ.get("SURVEYAPP_AXE_JS") or default)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def axe_violations(page: Any, source: str, impacts=("serious", "critical")) -> list[str]:
    """Run axe-core on the page and list its violations of the given impacts.

    The script is evaluated through the DevTools protocol, which the page's CSP
    (``script-src 'self'``) does not govern: the page is scanned exactly as served.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    found = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}));
        }"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
        for v in found
        if v["impact"] in impacts
    ]


def overflow_at_zoom_200(page: Any, screenshot: Path | None = None) -> list[str]:
    """:func:`overflow_problems` with the page laid out as at 200 % zoom on the phone
    (a 180x320 CSS-pixel viewport), then the phone's viewport back."""
    page.set_viewport_size(PHONE_ZOOM_200)
    try:
        problems = overflow_problems(page)
        if screenshot is not None:
            page.screenshot(path=screenshot)
    finally:
        page.set_viewport_size(PHONE)
    return problems


def elderly_friendly_problems(
    page: Any, zoom_screenshot: Path | None = None
) -> dict[str, list[str]]:
    """Every measured property of issue 7 on one page, by name; all lists empty when the
    page passes: text size, contrast, tap targets, labels, overflow at 100 % and 200 %."""
    return {
        "text below 18px": text_size_problems(page),
        "contrast below 4.5:1": contrast(page)[0],
        "tap targets below 44px": tap_target_problems(page),
        "unlabelled": label_problems(page),
        "wider than the screen": overflow_problems(page),
        "wider than the screen at 200% zoom": overflow_at_zoom_200(page, zoom_screenshot),
    }
