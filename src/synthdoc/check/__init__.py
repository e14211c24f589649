"""The check stage: every diagnostic of a project, before anything is built — keys, quotes, locators,
references between claims, templates that render, entries, quotes shown untranslated, and quotes gone
stale since their source text changed.

May import: core, bibliography, sources, render (check renders each document's Markdown to check it).
"""
