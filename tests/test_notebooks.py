"""Execute every notebook in notebooks/ (they are part of the documentation)."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [
        out for cell in nb.cells if cell.cell_type == "code"
        for out in cell.get("outputs", []) if out.get("output_type") == "error"
    ]
    assert not errors
    if path.name == "quickstart.ipynb":
        outputs = [out for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.get("outputs", [])]
        data = [out.get("data", {}) for out in outputs]
        # The timeline figure renders as an image, not as "<Figure size ...>" text.
        assert any("image/png" in d for d in data), "the plot cell shows no figure"
        # Displaying a result shows the light review page.
        assert any("<iframe srcdoc=" in str(d.get("text/html", "")) for d in data)


def test_there_is_a_notebook():
    assert NOTEBOOKS, "notebooks/ must hold at least the quick start"
