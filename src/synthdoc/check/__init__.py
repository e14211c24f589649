"""The check stage: every diagnostic of a project, before anything is built — keys, quotes, statements
against their evidence (statements), locators, references between claims, templates that render, claims
cited but never told or told twice (told), entries, quotes shown untranslated, and quotes gone stale since
their source text changed.

May import: core, bibliography, sources, render (check renders each document's Markdown to check it).
"""
