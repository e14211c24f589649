"""Timed processes start as they do on a user's machine: Python writes and reuses the bytecode of
synthdoc's modules. An environment that forbids it (PYTHONDONTWRITEBYTECODE, set on some CI and
container images) makes every `synthdoc` process compile synthdoc's source again, about 0.1 s that
no user pays. Importing this module lifts it for the benchmark and the processes it starts."""

import os

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
