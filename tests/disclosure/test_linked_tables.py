"""Issue 14, leak 5: counts shared by two tables are hidden alike in both.

Robson group 1 women of a unit is the ``n`` of its ``cs_robson_1`` benchmark row, and its
caesareans the ``observed``; if one table hides a cell the other shows, the hiding is void.
"""

import types

import pandas as pd

from saz_geboortezorg.report.protect import _benchmark, _benchmark_and_robson, _robson


def _analysis():
    units = ["A", "B", "C", "D"]
    women1 = [300, 40, 250, 180]
    cs1 = [30, 3, 25, 20]
    bench = pd.DataFrame(
        {
            "indicator": "cs_robson_1",
            "unit": units,
            "measure": "pct",
            "n": women1,
            "observed": cs1,
            "value": [100 * c / w for c, w in zip(cs1, women1, strict=True)],
        }
    )
    rows = []
    for u, w1, c1, w2, c2 in zip(units, women1, cs1, [90, 5, 80, 70], [20, 2, 30, 15], strict=True):
        rows += [
            {"unit": u, "group": "1", "women": w1, "cs": c1},
            {"unit": u, "group": "2a", "women": w2, "cs": c2},
        ]
    robson = pd.DataFrame(rows)
    for c in ("relative_size_pct", "cs_rate_pct", "contribution_pct", "share_of_cs_pct"):
        robson[c] = 1.0
    return types.SimpleNamespace(benchmark=types.SimpleNamespace(table=bench), robson=robson)


def test_robson_group_1_and_cs_robson_1_hidden_alike():
    a = _analysis()
    # protected each on its own, the two tables disagree (the leak)
    alone_b = _benchmark(a.benchmark.table, 10)[0].hidden
    alone_r = _robson(a.robson, 10, None).hidden
    g1 = (a.robson["group"] == "1").to_numpy()
    assert (alone_b["n"].to_numpy() != alone_r.loc[g1, "women"].to_numpy()).any()
    # protected together, they agree on every shared cell
    bench, robson = _benchmark_and_robson(a, 10)
    hb = bench[0].hidden
    hr = robson.hidden
    assert (hb["n"].to_numpy() == hr.loc[g1, "women"].to_numpy()).all()
    assert (hb["observed"].to_numpy() == hr.loc[g1, "cs"].to_numpy()).all()
    assert hb["n"].any()  # something is hidden at all: the test is not vacuous
