"""One federated mock run on 17 regional nodes, shared by the tests of this folder."""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path

import pytest

if os.environ.get("CI"):
    # in CI (make test-federated) the extra is installed: a missing vantage6 is a failure
    import vantage6.algorithm.tools.mock_client  # noqa: F401
else:
    pytest.importorskip(
        "vantage6.algorithm.tools.mock_client",
        reason="the federated tests need the optional extra: make test-federated "
        "(its own venv, .venv-federated) or pip install -e '.[federated]'",
    )

sys.path.insert(0, str(Path(__file__).parent))

from split import read_text, split  # noqa: E402
from vantage6.algorithm.tools.mock_client import MockAlgorithmClient  # noqa: E402

KEY = "the key the test nodes share, never the analyst"


class SharedDataMockClient(MockAlgorithmClient):
    """vantage6's mock client, except that the copy it makes for every node run shares
    the datasets instead of deep-copying all 17 nodes' tables (the node still gets its
    own copy of its four tables, as in the mock), and shares the record of tasks and
    results, so that every message a node returns is in ``results``."""

    def __deepcopy__(self, memo):
        new = copy.copy(self)
        for name, cls in (
            ("task", self.Task),
            ("result", self.Result),
            ("run", self.Run),
            ("organization", self.Organization),
            ("collaboration", self.Collaboration),
        ):
            setattr(new, name, cls(new))
        return new


def mock_client(nodes: dict, job: int = 1, init_org: int = 0) -> SharedDataMockClient:
    """A mock client with one organisation (ids 1..17) per node, in region order; the
    container of a task in job ``job`` (a task a user creates starts a new job) created
    by organisation ``init_org``."""
    client = SharedDataMockClient(
        [[{"database": frame} for frame in tables] for tables in nodes.values()],
        module="saz_geboortezorg.federated",
        organization_ids=list(range(1, len(nodes) + 1)),
    )
    client.task_info = {"job_id": job, "init_org": {"id": init_org}}
    return client


@pytest.fixture(scope="session")
def shared_key():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAZ_FEDERATED_KEY", KEY)
        yield KEY


@pytest.fixture(scope="session")
def national_folder(tmp_path_factory):
    """The default synthetic data (60,000 births, seed 2024) as CSV."""
    from saz_geboortezorg.synthetic import default_dataset

    return default_dataset(tmp_path_factory.mktemp("national"))


@pytest.fixture(scope="session")
def national_text(national_folder):
    return read_text(national_folder)


@pytest.fixture(scope="session")
def nodes(national_text):
    return split(national_text)


@pytest.fixture(scope="session")
def pooled(national_folder):
    import saz_geboortezorg as sg

    return sg.load(national_folder)
