"""Results in a notebook: the HTML summaries, the charts, and the shipped notebook executed.

The quick-start notebook (``docs/notebooks/quickstart.ipynb``) is run top to bottom by
nbclient in a kernel of this very interpreter (a kernelspec written into a temporary
Jupyter path, so nothing is looked up or fetched), and its outputs are checked: the
summaries are HTML naming the deal, the scenario and the tranches, and every chart cell
returns a plotly figure.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import attrs
import nbformat
import plotly.graph_objects as go
import polars as pl
import pytest
from nbclient import NotebookClient

from waterfall.market.scenario import load_scenario
from waterfall.results import Results, simulate
from waterfall.risk.montecarlo import MonteCarlo, run_monte_carlo
from waterfall.spec.load import load_deal

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "docs" / "notebooks" / "quickstart.ipynb"
KERNEL = "waterfall-test-venv"
PLOTLY = "application/vnd.plotly.v1+json"


@pytest.fixture(scope="module")
def results() -> Results:
    return simulate(load_deal(ROOT / "deals" / "gpu_lease_spv.toml"))


@pytest.fixture(scope="module")
def mc() -> MonteCarlo:
    return run_monte_carlo(load_deal(ROOT / "deals" / "gpu_lease_spv.toml"), load_scenario("bust"), 1024, 2026)


def test_a_run_shows_its_deal_key_figures_and_tranches(results: Results) -> None:
    html = results._repr_html_()
    assert "gpu_lease_spv: 84 months from 2026-01, 1 path(s)" in html
    for text in ("min DSCR", "first default", "<td>senior</td>", "<td>mezz</td>", "<td>equity</td>"):
        assert text in html, text
    senior = results.tranches.filter(pl.col("tranche") == "senior").row(0, named=True)
    assert f"{senior['original_balance'] / 1e6:,.2f}" in html


def test_a_run_offers_the_reports_charts(results: Results) -> None:
    uses, balances = results.plot.cash_uses(), results.plot.balances()
    assert isinstance(uses, go.Figure) and isinstance(balances, go.Figure)
    assert {t.name for t in uses.data} >= {"interest", "principal"}
    assert {t.name for t in balances.data} == {"senior", "mezz"}


def test_a_monte_carlo_shows_its_scenario_and_risk_table(mc: MonteCarlo) -> None:
    html = mc._repr_html_()
    assert "gpu_lease_spv under bust: 1,024 paths, seed 2026" in html
    for text in ("PD", "VaR 99", "<td>senior</td>", "<td>mezz</td>"):
        assert text in html, text
    assert "<td>equity</td>" not in html  # equity has no PD or rating
    assert len(mc.plot.dscr_fan().data) >= 5
    assert mc.plot.loss_histogram().data and mc.plot.modes().data


def test_an_empty_or_broken_result_says_what_is_missing(mc: MonteCarlo) -> None:
    empty = attrs.evolve(
        mc, tranches=mc.tranches.head(0), summary=mc.summary.head(0), period_stats=mc.period_stats.head(0)
    )
    assert "Nothing to show: no tranche outcomes" in empty._repr_html_()
    for figure in (empty.plot.dscr_fan(), empty.plot.loss_histogram(), empty.plot.modes()):
        assert "Nothing to plot" in figure.layout.annotations[0].text
    broken = attrs.evolve(mc, summary=pl.DataFrame({"x": [1]}))
    assert "could not be summarised" in broken._repr_html_()


def test_a_run_of_no_paths_says_so(results: Results) -> None:
    tape = results.tape
    none = Results(results.deal, attrs.evolve(tape, paths=0))
    assert "Nothing to show: the run has no paths or no months" in none._repr_html_()
    assert "Nothing to plot" in none.plot.cash_uses().layout.annotations[0].text


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A kernelspec for this interpreter, where jupyter looks first (JUPYTER_PATH)."""
    jupyter = tmp_path_factory.mktemp("jupyter")
    spec = jupyter / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"}))
    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTER_PATH", str(jupyter))
    patch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's own paths, without its migration warning
    patch.setenv("IPYTHONDIR", str(jupyter / "ipython"))
    yield KERNEL
    patch.undo()


def test_the_quickstart_notebook_runs_and_shows_results(kernel: str) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook, kernel_name=kernel, timeout=300, resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    html = {c.source: o.data["text/html"] for c in code for o in c.outputs if "text/html" in o.get("data", {})}
    summaries = "\n".join(html.values())
    for text in ("gpu_lease_spv: 84 months from 2026-01", "gpu_lease_spv under bust: 1,024 paths", "openai_chain"):
        assert text in summaries, text
    charts = [c for c in code if ".plot." in c.source]
    assert charts
    for cell in charts:
        bundles = [o.data for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
        figures = [b[PLOTLY] for b in bundles if PLOTLY in b]
        assert figures and figures[0]["data"], f"{cell.source}: no plotly figure with traces in {bundles}"
