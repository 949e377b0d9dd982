"""Trend charts for reports: values per period, the target line and the required path (PNG)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: render to files only
import matplotlib.pyplot as plt  # noqa: E402

from .model import Series  # noqa: E402

_FONTS = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "DejaVu Sans"]


def trend_png(series: Series, width_in: float = 6.0, height_in: float = 2.6) -> bytes:
    plt.rcParams["font.sans-serif"] = _FONTS
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=150)
    try:
        xs = list(range(len(series.periods)))
        ys = [v if v is not None else float("nan") for v in series.values]
        ax.plot(xs, ys, marker="o", color="#1f5fa8", linewidth=2, label="实际值")
        if series.path:
            index = {p: i for i, p in enumerate(series.periods)}
            pts = [(index[p], v) for p, v in series.path if p in index]
            if pts:
                ax.plot([x for x, _ in pts], [v for _, v in pts], linestyle=":", color="#999999", label="应达路径")
        if series.target is not None:
            ax.axhline(series.target, linestyle="--", color="#c0392b", linewidth=1.2, label=f"目标值 {series.target:g}")
        ax.set_title(series.title, fontsize=11)
        ax.set_ylabel(series.unit, fontsize=9)
        step = max(1, len(xs) // 8)
        ax.set_xticks(xs[::step], [series.periods[i] for i in xs[::step]], fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8, loc="best", frameon=False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(fig)
