"""The dashboard's preparation (saz_geboortezorg.explore.dashboard): what the preheated
Voila kernel does before a visitor arrives, and what it leaves for after the request."""

from __future__ import annotations

import pytest

from saz_geboortezorg.errors import SazError
from saz_geboortezorg.explore import Explorer, dashboard_data, prepare, wait_for_visitor


def test_prepared_cache_spares_the_explorer_its_model_fit(dataset, shown):
    cache = prepare(dataset)
    assert cache.fits == 1  # the first indicator's case-mix model (cs), fitted once
    import altair as alt

    assert alt.JupyterChart._is_offline  # the Vega bundle is made before the visitor
    # the visitor's explorer, at another level with a unit highlighted (an address like
    # ?unit=ZH05&level=hospital), draws from the prepared model: no second fit
    ex = Explorer(dataset, highlight="ZH05", unit="hospital", cache=cache)
    assert cache.fits == 1
    assert ex.view.state.level == "hospital" and ex.view.rates.adjusted
    assert len(ex.view.table) == dataset.births["hospital_id"].nunique()


def test_prepare_leaves_a_data_error_to_the_explorer(women, shown):
    """A first view that cannot be computed must not stop the page: the explorer
    shows the reason, as for any other choice."""
    cache = prepare(women)  # no caesarean columns in this table
    assert cache.fits == 0
    ex = Explorer(women, cache=cache)
    assert ex.view is None and ex.status.value


def test_dashboard_data_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SAZ_GEBOORTEZORG_DATA", str(tmp_path))
    assert dashboard_data() == tmp_path
    monkeypatch.setenv("SAZ_GEBOORTEZORG_DATA", "")
    assert dashboard_data() is None  # the notebook then shows the synthetic data
    monkeypatch.setenv("SAZ_GEBOORTEZORG_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(SazError, match="SAZ_GEBOORTEZORG_DATA names .*nowhere"):
        dashboard_data()


def test_wait_for_visitor_waits_only_in_a_preheated_kernel(monkeypatch, capfd):
    asked = []
    import voila.utils

    monkeypatch.setattr(voila.utils, "wait_for_request", lambda: asked.append(True))
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    wait_for_visitor()
    monkeypatch.setenv("VOILA_PREHEAT", "False")  # a plain Voila page: the request is there
    wait_for_visitor()
    assert asked == []
    assert "dashboard ready" not in capfd.readouterr().err
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    wait_for_visitor()
    assert asked == [True]
    assert "saz_geboortezorg: dashboard ready" in capfd.readouterr().err
