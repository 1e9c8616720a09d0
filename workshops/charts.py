# A count above nought always shows as a bar that can be seen, however large the largest count.
MIN_BAR_PERCENT = 3


def bar_percent(count: int, largest: int) -> int:
    """A bar's length as a percentage of the largest; never a sliver for a count above nought."""
    if count <= 0:
        return 0
    return max(MIN_BAR_PERCENT, round(100 * count / largest))


def bar_chart(caption: str, label_heading: str, count_heading: str, rows) -> dict:
    """A chart the bar_chart include draws as SVG bars beside a table of the same numbers."""
    rows = list(rows)
    largest = max((count for _, count in rows), default=0) or 1
    return {
        "caption": caption,
        "label_heading": label_heading,
        "count_heading": count_heading,
        "rows": [
            {"label": label, "count": count, "percent": bar_percent(count, largest)}
            for label, count in rows
        ],
    }
