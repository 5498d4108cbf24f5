"""``python -m paychaos.reference_app migrate`` works like ``python -m paychaos.reference_app.manage migrate``."""

from paychaos.reference_app.manage import main

main()
