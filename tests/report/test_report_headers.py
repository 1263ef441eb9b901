"""Report tables show headers a clinician reads, and keep the column name as a tooltip."""

from __future__ import annotations

import pandas as pd

from saz_geboortezorg.report.html import header, table_html


def test_robson_columns_read_as_words():
    assert header("relative_size_pct") == "share of women (%)"
    assert header("cs") == "caesareans"
    assert header("std_ucl95") == "std upper 95%"
    assert header("unit") == "unit"


def test_table_header_has_the_readable_name_and_the_column_as_tooltip():
    out = table_html(pd.DataFrame({"cs_rate_pct": [12.5]}))
    assert '<th class="" title="cs_rate_pct">caesarean rate (%)</th>' in out
