"""Options several commands share, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

#: ``--app module:Class``: the app under test (see ``paychaos.app.config``).
AppOption = Annotated[
    str | None,
    typer.Option(
        "--app",
        help="The app under test as module:Class (default: PAYCHAOS_APP, then "
        "\\[tool.paychaos] app in pyproject.toml, then paychaos's reference app).",
    ),
]
