"""Maps the repository's folders under the one import name ``paychaos``.

The repository is laid out by part (``harness/`` is the engine, ``scenarios/``,
``fixtures/``, ``reference_app/``); the wheel installs them as ``paychaos``,
``paychaos.scenarios``, ``paychaos.fixtures`` and ``paychaos.reference_app``,
so nothing else lands at the top level of a user's virtualenv. Every
sub-package is found here, so a new folder needs no edit to be shipped.
"""

from setuptools import find_packages, setup

FOLDERS = {
    "paychaos": "harness",
    "paychaos.scenarios": "scenarios",
    "paychaos.fixtures": "fixtures",
    "paychaos.reference_app": "reference_app",
}


def packages() -> list[str]:
    names = []
    for name, folder in FOLDERS.items():
        names.append(name)
        names += [f"{name}.{sub}" for sub in find_packages(folder)]
    return names


setup(packages=packages(), package_dir=FOLDERS)
