def bar_chart(caption: str, label_heading: str, count_heading: str, rows) -> dict:
    """A chart the bar_chart include draws as SVG bars beside a table of the same numbers."""
    rows = list(rows)
    largest = max((count for _, count in rows), default=0) or 1
    return {
        "caption": caption,
        "label_heading": label_heading,
        "count_heading": count_heading,
        "rows": [
            {"label": label, "count": count, "percent": round(100 * count / largest)}
            for label, count in rows
        ],
    }
