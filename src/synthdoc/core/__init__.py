"""What every stage shares, the bottom of the pipeline.

Owns: ``synthdoc.yaml`` read into typed values (project), diagnostics and the error that carries them,
paths that stay inside the project and their display (paths), every file opened or written (files),
YAML with the line of every value (yamlfile, schema), the caches kept on disk and in the process
(cache, warm), highlight colours (colors), the terminal (console) and the only code that runs pandoc
and typst (pandoc).

May import: nothing of synthdoc but core itself (and the package's ``__version__``).
"""
