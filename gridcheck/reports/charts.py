"""Charts of the report PDFs: matplotlib (Agg) with Noto Sans CJK SC, written as PNG at print resolution
and embedded in the PDF as a data URI (WeasyPrint ignores the style attributes of matplotlib's SVG)."""

from __future__ import annotations

import io
import threading

_lock = threading.Lock()  # pyplot's state is global: one chart at a time
FONT = "Noto Sans CJK SC"
BLUE, GREEN, RED, GREY, ORANGE = "#2f6db5", "#3a9a5b", "#c0392b", "#9aa3ad", "#d68a1a"


def _figure(width_cm: float, height_cm: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [FONT, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "font.size": 8,
            "axes.titlesize": 9,
            "axes.spines.top": False,
        }
    )
    fig, ax = plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=100)
    return plt, fig, ax


DPI = 200


def _png(plt, fig) -> str:
    """The figure as a ``data:image/png;base64,...`` URI for an ``<img>`` of the PDF."""
    import base64

    buffer = io.BytesIO()
    fig.tight_layout(pad=0.4)
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def bars_and_line(
    labels: list[str],
    bars: list[float | None],
    line: list[float | None],
    *,
    bar_label: str,
    line_label: str,
    title: str,
    reference: float | None = None,
    reference_label: str = "",
    width_cm: float = 16.5,
    height_cm: float = 6.2,
) -> str:
    """Bars on the left axis, a line (a rate in %) on the right, one category per label."""
    with _lock:
        plt, fig, ax = _figure(width_cm, height_cm)
        x = list(range(len(labels)))
        ax.bar(x, [b or 0 for b in bars], color=BLUE, width=0.6, label=bar_label)
        ax.set_ylabel(bar_label)
        ax.set_xticks(
            x, labels, rotation=0 if len(labels) <= 8 else 45, ha="center" if len(labels) <= 8 else "right"
        )
        ax.grid(axis="y", color="#e3e6ea", linewidth=0.6)
        ax.set_axisbelow(True)
        right = ax.twinx()
        right.spines["top"].set_visible(False)
        points = [(i, v) for i, v in zip(x, line, strict=True) if v is not None]
        if points:
            right.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                color=RED,
                marker="o",
                markersize=3,
                linewidth=1.4,
                label=line_label,
            )
            for i, v in points:
                right.annotate(
                    f"{v:.1f}",
                    (i, v),
                    textcoords="offset points",
                    xytext=(0, 4),
                    ha="center",
                    fontsize=6.5,
                    color=RED,
                )
        if reference is not None:
            right.axhline(reference, color=ORANGE, linestyle="--", linewidth=1, label=reference_label)
        right.set_ylabel(line_label)
        handles = ax.get_legend_handles_labels()
        more = right.get_legend_handles_labels()
        ax.legend(
            handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize=7, frameon=False, ncol=3
        )
        ax.set_title(title)
        ax.margins(y=0.18)
        right.margins(y=0.25)
        return _png(plt, fig)


def grouped_bars(
    categories: list[str],
    series: list[tuple[str, list[float], str]],
    *,
    title: str,
    unit: str,
    width_cm: float = 16.5,
    height_cm: float = 6.0,
) -> str:
    """Grouped bars: one group per category, one bar per ``(name, values, colour)`` series."""
    with _lock:
        plt, fig, ax = _figure(width_cm, height_cm)
        n = max(len(series), 1)
        width = 0.8 / n
        for index, (name, values, colour) in enumerate(series):
            xs = [c + (index - (n - 1) / 2) * width for c in range(len(categories))]
            rects = ax.bar(xs, values, width=width * 0.92, color=colour, label=name)
            ax.bar_label(rects, labels=[f"{v:,.1f}" if v else "" for v in values], fontsize=6, padding=1)
        ax.set_xticks(range(len(categories)), categories)
        ax.set_ylabel(unit)
        ax.grid(axis="y", color="#e3e6ea", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper right", fontsize=7, frameon=False, ncol=n)
        ax.set_title(title)
        ax.margins(y=0.2)
        return _png(plt, fig)
