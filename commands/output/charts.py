"""Inline SVG charts of the drive (projections/drive.py): readable printed or on screen, with
no JavaScript, no fonts and nothing fetched. Each chart is titled, its axes carry values, and
every bar or line end says its figure, so the picture never needs the table to be read.

Coordinates are whole pixels in a viewBox; the page scales the SVG to its width.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any

from commands.language import words as lg
from commands.language.words import N_
from ledger.phrases import Phrase

INK, GRID, MUTED = "#222", "#ccc", "#666"
RECEIVED, HANDED, LINE, SERVED, DECLARED = "#2f6db3", "#e07b1f", "#2f6db3", "#2e8b57", "#dde3ea"

TEXT = {"stock": N_("Stock of each item over time (all locations together)"),
        "weeks": N_("Received and handed out by week (đồng; goods at their declared value)"),
        "months": N_("Received and handed out by month (đồng; goods at their declared value)"),
        "years": N_("Received and handed out by year (đồng; goods at their declared value)"),
        "received": N_("received"), "handed_out": N_("handed out"),
        "groups": N_("Coverage by group: households served / declared"),
        "tiers": N_("Coverage by priority tier: households served / declared"),
        "tier": N_("tier {}"), "week": N_("week {}"), "none": N_("no data yet")}


def figures(drive: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(title, svg) of every chart of the drive, in the order a committee reads them."""
    text = lg.translated(TEXT, lang)
    groups = [(row["group"], row["served"], row["declared"]) for row in drive["coverage"]["groups"]]
    tiers = [(text["tier"].format(row["tier"]), row["served"], row["declared"])
             for row in drive["coverage"]["tiers"]]
    period, bars = by_period(drive)
    return [(text["stock"], stock_panels(drive["stock"], lang)),
            (text[period], period_bars(bars, lang, text[period])),
            (text["groups"], coverage_bars(groups, lang, text["groups"])),
            (text["tiers"], coverage_bars(tiers, lang, text["tiers"]))]


def ticks(top: int, count: int = 4) -> list[int]:
    """0, step, 2·step … reaching at least `top`, step 1, 2 or 5 times a power of ten."""
    if top <= 0:
        return [0, 1]
    raw = -(-top // count)
    step = 10 ** (len(str(raw)) - 1)
    for factor in (1, 2, 5, 10):
        if factor * step >= raw:
            step *= factor
            break
    return [i * step for i in range(-(-top // step) + 1)]


def coverage_percent(served: int, declared: int) -> int:
    """Served of declared, to the nearest percent (2 of 3: 67%), but never 100% while one is
    left without, nor 0% once one was served."""
    if not declared:
        return 0
    percent = (served * 200 + declared) // (2 * declared)
    if served < declared:
        percent = min(percent, 99)
    return max(percent, 1) if served else 0


def _svg(width: int, height: int, body: Sequence[str], label: str) -> str:
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-label="{escape(label)}" font-size="11" fill="{INK}">'
            f'<title>{escape(label)}</title>{"".join(body)}</svg>')


def _text(x: int, y: int, text: str, anchor: str = "start", **attrs: Any) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x}" y="{y}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _none(lang: str) -> str:
    return _svg(680, 30, [_text(0, 20, lg.words(lang)(TEXT["none"]), fill=MUTED)], lg.words(lang)(TEXT["none"]))


# ---- stock over time: one small panel per item, each with its own scale and unit ----------

PANEL_W, PANEL_H, LEFT, RIGHT, TOP, BOTTOM = 336, 150, 46, 30, 22, 24


def stock_panels(lines: list[dict[str, Any]], lang: str) -> str:
    if not lines:
        return _none(lang)
    return "".join(f'<span class="panel">{_stock_panel(line, lang)}</span>' for line in lines)


def _stock_panel(line: dict[str, Any], lang: str) -> str:
    points = [(date.fromisoformat(on).toordinal(), quantity) for on, quantity in line["points"]]
    first, last = points[0][0], points[-1][0]
    span = max(last - first, 1)
    scale = ticks(max(q for _, q in points))
    width, height = PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM

    def x(day: int) -> int:
        return LEFT + (day - first) * width // span

    def y(quantity: int) -> int:
        return TOP + height - quantity * height // scale[-1]

    unit = line["unit"]  # a bundle's is a word (a Phrase), said in the page's language
    if isinstance(unit, Phrase):
        unit = unit.text(lg.words(lang), lg.figures(lang))
    title = f"{line['item']} · {lg.with_unit(line['name'], unit)}"
    body = [_text(0, 13, title, font_weight="bold")]
    for value in scale:
        body.append(f'<line x1="{LEFT}" x2="{LEFT + width}" y1="{y(value)}" y2="{y(value)}" '
                    f'stroke="{GRID}"/>')
        body.append(_text(LEFT - 4, y(value) + 4, lg.number(value, lang), "end"))
    years = date.fromordinal(first).year != date.fromordinal(last).year
    shown = _day_ticks(first, last, 3 if years else 6)  # "12/11/2021" takes room: fewer
    for day in shown:
        label = lg.day(date.fromordinal(day), lang, short=not years)  # the year, if it changes
        anchor = "end" if years and day == last and len(shown) > 1 else "middle"
        body.append(_text(x(day), TOP + height + 15, label, anchor, fill=MUTED))
    path = [f"M{x(points[0][0])} {y(points[0][1])}"]
    for (_, previous), (day, quantity) in zip(points, points[1:]):
        path.append(f"H{x(day)}V{y(quantity)}" if quantity != previous else f"H{x(day)}")
    body.append(f'<path d="{"".join(path)}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    end = points[-1]
    body.append(_text(x(end[0]) + 3, y(end[1]) + 4, lg.number(end[1], lang),
                      font_weight="bold"))
    return _svg(PANEL_W, PANEL_H, body, title)


def _day_ticks(first: int, last: int, count: int = 6) -> list[int]:
    """First and last day, and evenly spaced days between: at most `count` labels."""
    span = last - first
    step = max(1, -(-span // (count - 1)))
    days = list(range(first, last, step))
    if days and last - days[-1] < step // 2 + 1 and len(days) > 1:
        days.pop()
    return days + [last]


# ---- received vs handed out by ISO week, month or year -----------------------------------

WEEKS_AT_MOST, MONTHS_AT_MOST = 27, 48  # about six months of weeks; four years of months


def by_period(drive: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The bars a drive's length reads best in, and what each is called: ISO weeks for a
    drive of up to about six months, calendar months up to four years, years beyond; each bar
    {"label": (period, year or None), "received", "handed_out", "monday" for a week}."""
    weeks, months = drive["weeks"], drive.get("months")
    if months is None or len(weeks) <= WEEKS_AT_MOST:
        crosses = len({week["week"][:4] for week in weeks}) > 1
        return "weeks", [{**week, "label": ("week", week["week"][-2:],
                                            week["week"][:4] if crosses else None)}
                         for week in weeks]
    if len(months) <= MONTHS_AT_MOST:
        return "months", [{**month, "label": ("month", month["month"][5:7],
                                              month["month"][:4])} for month in months]
    years: dict[str, dict[str, Any]] = {}
    for month in months:
        year = years.setdefault(month["month"][:4], {"label": ("year", month["month"][:4], None),
                                                     "received": 0, "handed_out": 0})
        year["received"] += month["received"]
        year["handed_out"] += month["handed_out"]
    return "years", list(years.values())


def _bar_label(label: tuple[str, str, str | None], lang: str) -> str:
    """ "tuần 45", "tuần 45/2021" (a drive across new year), "11/2021", "Nov 2021", "2021"."""
    kind, period, year = label
    if kind == "week":
        return lg.translated(TEXT, lang)["week"].format(f"{period}/{year}" if year else period)
    if kind == "month":
        return lg.month(int(year or 0), int(period), lang)
    return period


def period_bars(bars: list[dict[str, Any]], lang: str, title: str) -> str:
    """Received and handed out side by side for each period (`by_period`)."""
    if not bars:
        return _none(lang)
    text = lg.translated(TEXT, lang)
    weeks = bars
    left, top, height, slot = 64, 30, 170, max(10, min(150, 600 // len(weeks)))
    width = slot * len(weeks)
    scale = ticks(max(max(w["received"], w["handed_out"]) for w in weeks))

    def y(amount: int) -> int:
        return top + height - amount * height // scale[-1]

    body = [f'<rect x="{left}" y="4" width="12" height="12" fill="{RECEIVED}"/>',
            _text(left + 16, 14, text["received"]),
            f'<rect x="{left + 120}" y="4" width="12" height="12" fill="{HANDED}"/>',
            _text(left + 136, 14, text["handed_out"])]
    for value in scale:
        body.append(f'<line x1="{left}" x2="{left + width}" y1="{y(value)}" y2="{y(value)}" '
                    f'stroke="{GRID}"/>')
        body.append(_text(left - 4, y(value) + 4, lg.compact(value, lang), "end"))
    bar = max(3, slot // 3)
    widest = max(len(_bar_label(week["label"], lang)) for week in weeks)
    every = -(-max(60, widest * 7 + 8) // slot)  # a label's width, about 7 px a character
    for index, week in enumerate(weeks):
        middle = left + index * slot + slot // 2
        for offset, key, colour in ((-bar, "received", RECEIVED), (0, "handed_out", HANDED)):
            amount = week[key]
            body.append(f'<rect x="{middle + offset}" y="{y(amount)}" width="{bar - 2}" '
                        f'height="{top + height - y(amount)}" fill="{colour}"/>')
            body.append(_text(middle + offset + bar // 2 - 1, y(amount) - 3,
                              lg.compact(amount, lang), "middle", font_size="10"))
        if index % every == 0:  # long drives: label every few bars so labels never overlap
            body.append(_text(middle, top + height + 15, _bar_label(week["label"], lang),
                              "middle"))
        if slot >= 70 and "monday" in week:
            body.append(_text(middle, top + height + 28, lg.day(week["monday"], lang, short=True)
                              + "–" + lg.day(_sunday(week["monday"]), lang, short=True),
                              "middle", fill=MUTED, font_size="10"))
    return _svg(left + width + 10, top + height + 34, body, title)


def _sunday(monday: str) -> date:
    return date.fromordinal(date.fromisoformat(monday).toordinal() + 6)


# ---- coverage: households served out of those declared -----------------------------------

def coverage_bars(rows: list[tuple[str, int, int]], lang: str, title: str) -> str:
    """One bar per label: the whole bar is the households declared, the dark part served."""
    if not rows:
        return _none(lang)
    left, row_h, width = 90, 20, 480
    most = max(declared for _, _, declared in rows) or 1
    body = []
    for index, (label, served, declared) in enumerate(rows):
        top = index * row_h + 4
        full, done = declared * width // most, served * width // most
        body.append(_text(left - 6, top + 12, label, "end"))
        body.append(f'<rect x="{left}" y="{top}" width="{full}" height="{row_h - 6}" '
                    f'fill="{DECLARED}"/>')
        body.append(f'<rect x="{left}" y="{top}" width="{done}" height="{row_h - 6}" '
                    f'fill="{SERVED}"/>')
        percent = coverage_percent(served, declared)
        body.append(_text(left + full + 6, top + 12,
                          f"{lg.number(served, lang)} / {lg.number(declared, lang)} "
                          f"({percent}%)"))
    return _svg(left + width + 110, len(rows) * row_h + 8, body, title)
