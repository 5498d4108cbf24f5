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

#: ``--browser``: validate through the app's own success page in headless system Chromium.
BrowserOption = Annotated[
    bool,
    typer.Option(
        "--browser",
        help="Every validate loads the app's success page in headless Chromium and records "
        "what the page shows the customer, not what the adapter models "
        "(needs Playwright and the system Chromium: apt-get install chromium).",
    ),
]

#: ``--accept-not-exercised``: exit 0 rather than 5 when all that is wrong is untested promises.
AcceptNotExercisedOption = Annotated[
    bool,
    typer.Option(
        "--accept-not-exercised",
        help="Exit 0 rather than 5 when nothing broke but some run or promise was not put "
        "to the test (still reported): e.g. Redis scenarios on an app without Redis.",
    ),
]

#: ``--strict-flaky``: a flaky finding (broken in one of two runs of the same schedule) fails the command (exit 1).
StrictFlakyOption = Annotated[
    bool,
    typer.Option(
        "--strict-flaky",
        help="Exit 1 (as for a broken promise) rather than 4 when the only failures are flaky "
        "(broken in one of two runs of the same schedule).",
    ),
]
