-- synthdoc: the document as pandoc read it, kept for the run's citeproc to print beside its own result.
--
-- A Lua filter given before --citeproc (core/pandoc.py, cite_markdown_read):
--   pandoc --sandbox -f markdown... -t json --bibliography B --csl C -M name=value... --lua-filter keep_read.lua --citeproc
-- It runs after pandoc has given the document the command line's metadata and before citeproc, and keeps the
-- document's JSON, as `pandoc -t json` would print it without --citeproc, in the metadata field synthdoc-read:
-- citeproc reads no field of that name. synthdoc takes the field out of what the run prints.
-- Nothing here reads or writes a file or the network.

function Pandoc(doc)
  doc.meta['synthdoc-read'] = pandoc.write(doc, 'json')
  return doc
end
