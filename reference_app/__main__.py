"""``python -m reference_app migrate`` works like ``python -m reference_app.manage migrate``."""

from reference_app.manage import main

main()
