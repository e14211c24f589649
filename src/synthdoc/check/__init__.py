"""The check stage: every diagnostic of a project before anything is built."""
