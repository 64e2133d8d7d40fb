"""Report charts as PNG bytes sized for a phone (1080x1350 px), drawn off-screen with Agg.

Figures are built with `matplotlib.figure.Figure` and an Agg canvas, never through pyplot:
no global figure registry, no interactive backend, nothing that needs a display. A chart is
drawn in memory; the caller sends it or writes it where it wants (`save`).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.numbers import format_compact_currency
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from i18n.format import format_date, locale_for
from i18n.staff_texts import st
from storage.reports import BUCKETS, AgingLine, AgingReport, PromisesReport, SalesReport

#: 7.2 x 9 inches at 150 dpi: 1080 x 1350 pixels, a phone screen in portrait.
FIGSIZE = (7.2, 9.0)
DPI = 150
#: One color per bucket, the same on every chart: green (not due) to dark red (90+).
BUCKET_COLORS = {
    "current": "#43a047",
    "1-30": "#c0ca33",
    "31-60": "#fb8c00",
    "61-90": "#e53935",
    "90+": "#7f0000",
}
OUTCOME_COLORS = {"made": "#1e88e5", "kept": "#43a047", "broken": "#e53935"}
#: Rupiah in words people say: rb (ribu), jt (juta), M (miliar), T (triliun).
_RUPIAH_UNITS = (
    (Decimal(10) ** 12, "T"),
    (Decimal(10) ** 9, "M"),
    (Decimal(10) ** 6, "jt"),
    (Decimal(10) ** 3, "rb"),
)


def short_money(amount: Decimal | float, currency: str) -> str:
    """`Rp 5 jt`, `Rp 23,2 jt`, `Rp 1,5 M`, `Rp 750 rb`; other currencies compact (`$3.1K`)."""
    value = Decimal(str(amount))
    if currency.upper() != "IDR":
        return format_compact_currency(value, currency.upper(), locale="en", fraction_digits=1)
    sign, value = ("-" if value < 0 else ""), abs(value)
    for unit, word in _RUPIAH_UNITS:
        if value >= unit:
            scaled = value / unit
            places = Decimal(1) if scaled >= 100 else Decimal("0.1")
            text = f"{scaled.quantize(places):f}".replace(".", ",").removesuffix(",0")
            return f"{sign}Rp {text} {word}"
    return f"{sign}Rp {value.quantize(Decimal(1)):f}"


def money_axis(axes: Axes, currency: str, *, which: str = "x") -> None:
    """Label an axis's ticks as short money in `currency`."""
    formatter = FuncFormatter(lambda value, _pos: short_money(value, currency))
    (axes.xaxis if which == "x" else axes.yaxis).set_major_formatter(formatter)


def new_figure() -> Figure:
    """A phone-sized figure on an Agg canvas."""
    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def png(figure: Figure) -> bytes:
    """The figure as PNG at the phone size."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def save(chart: bytes, path: Path) -> Path:
    """Write a drawn chart to `path` (its folder made when missing) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(chart)
    return path


def _nothing(axes: Axes, text: str) -> None:
    """An empty chart that says why it is empty."""
    axes.text(0.5, 0.5, text, ha="center", va="center", fontsize=14, transform=axes.transAxes)
    axes.set_axis_off()


def _stack(axes: Axes, lines: list[AgingLine], labels: list[str], currency: str) -> None:
    """Horizontal bars, one per line, buckets stacked left to right, totals at the ends."""
    positions = list(range(len(lines)))[::-1]  # the first line on top
    left = [0.0] * len(lines)
    for bucket in BUCKETS:
        widths = [float(line.buckets[bucket]) for line in lines]
        axes.barh(positions, widths, left=left, color=BUCKET_COLORS[bucket], label=bucket)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    for y, line in zip(positions, lines, strict=True):
        axes.text(float(line.total), y, " " + short_money(line.total, currency), va="center")
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, max(left, default=1.0) * 1.25 or 1.0)  # room for the total labels
    axes.xaxis.set_major_locator(MaxNLocator(nbins=4))  # money labels are wide on a phone
    money_axis(axes, currency)


def aging_chart(report: AgingReport, *, top: int = 8, language: str = "id") -> bytes:
    """Stacked aging bars: the total, then the `top` largest customers (the rest as one bar);
    labels in `language`."""
    lang = language
    figure = new_figure()
    day = format_date(report.as_of, lang, weekday=False)
    figure.suptitle(st("chart.aging.title", lang, date=day, currency=report.currency), fontsize=15)
    if not report.customers:
        _nothing(figure.add_subplot(), st("chart.nothing_open", lang))
        return png(figure)
    shown = report.customers[:top]
    rest = report.customers[top:]
    if rest:
        others = AgingLine(st("chart.others", lang, count=len(rest)))
        for line in rest:
            for bucket, amount in line.buckets.items():
                others.buckets[bucket] += amount
        shown = [*shown, others]
    total_axes, axes = figure.subplots(2, 1, height_ratios=[1, max(len(shown), 3)])
    _stack(total_axes, [report.total], [st("chart.all_customers", lang)], report.currency)
    total_axes.set_title(st("chart.total_open", lang))
    _stack(axes, shown, [_label(line) for line in shown], report.currency)
    axes.set_title(st("chart.by_customer", lang))
    axes.set_xlabel(st("chart.open_balance", lang, currency=report.currency))
    total_axes.legend(
        title=st("chart.days_past_due", lang),
        ncols=5,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.3),
    )
    return png(figure)


def _label(line: AgingLine) -> str:
    """A customer's bar label: code and a name short enough for a phone."""
    name = line.name if len(line.name) <= 18 else line.name[:17] + "…"
    return f"{line.key}\n{name}" if name and name != line.key else line.key


def sales_chart(report: SalesReport, *, language: str = "id") -> bytes:
    """Horizontal bars of each salesperson's share more than 60 days late, best on top;
    labels in `language`."""
    lang = language
    figure = new_figure()
    figure.suptitle(st("chart.sales.title", lang, currency=report.currency), fontsize=15)
    axes = figure.add_subplot()
    if not report.salespeople:
        _nothing(axes, st("chart.nothing_open", lang))
        return png(figure)
    people = report.salespeople
    positions = list(range(len(people)))[::-1]
    shares = [100 * (s.share_60_plus or 0.0) for s in people]
    colors = [_share_color(share) for share in shares]
    axes.barh(positions, shares, color=colors)
    for y, share, s in zip(positions, shares, people, strict=True):
        total = short_money(s.aging.total, report.currency)
        note = st("chart.share_of", lang, share=f"{share:.0f}", total=total)
        axes.text(share, y, note, va="center")
    axes.set_yticks(positions, [f"#{s.rank} {s.salesperson}" for s in people])
    axes.set_xlim(0, 130)  # 100 % plus room for the labels
    axes.set_xticks(range(0, 101, 20))
    axes.xaxis.set_major_formatter(PercentFormatter())
    axes.set_xlabel(st("chart.share_late", lang))
    day = format_date(report.as_of, lang, weekday=False)
    axes.set_title(st("chart.sales.subtitle", lang, date=day))
    return png(figure)


def _share_color(percent: float) -> str:
    """Green for a clean book, orange for a worrying one, red past half."""
    if percent > 50:
        return BUCKET_COLORS["61-90"]
    return BUCKET_COLORS["31-60"] if percent > 20 else BUCKET_COLORS["current"]


def promises_chart(report: PromisesReport, *, language: str = "id") -> bytes:
    """Promises made, kept and broken per week (Monday to Sunday), as grouped bars; labels
    in `language`."""
    lang = language
    figure = new_figure()
    figure.suptitle(st("chart.promises.title", lang), fontsize=15)
    axes = figure.add_subplot()
    if not report.weeks:
        _nothing(axes, st("chart.no_promises", lang))
        return png(figure)
    width = 0.27
    series = {
        "made": [w.made for w in report.weeks],
        "kept": [w.kept for w in report.weeks],
        "broken": [w.broken for w in report.weeks],
    }
    for offset, (name, counts) in zip((-width, 0.0, width), series.items(), strict=True):
        xs = [i + offset for i in range(len(report.weeks))]
        axes.bar(xs, counts, width, label=st(f"chart.{name}", lang), color=OUTCOME_COLORS[name])
    labels = [_week(w.monday, lang) for w in report.weeks]
    axes.set_xticks(range(len(report.weeks)), labels, rotation=60, ha="right")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    highest = max(max(counts) for counts in series.values())
    axes.set_ylim(0, max(highest, 1) * 1.15)  # headroom for the legend
    axes.set_xlabel(st("chart.week_starting", lang))
    axes.set_ylabel(st("chart.promises", lang))
    axes.set_title(st("chart.up_to", lang, date=format_date(report.as_of, lang, weekday=False)))
    axes.legend(ncols=3, loc="upper left")
    return png(figure)


def _week(monday: dt.date, language: str = "id") -> str:
    """`9 Mar` (`9 Mei` in Indonesian)."""
    return str(babel_format_date(monday, "d MMM", locale=locale_for(language)))
