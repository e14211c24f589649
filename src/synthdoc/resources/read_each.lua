-- synthdoc: many Markdown texts read by one pandoc run, each exactly as a pandoc run of its own reads it.
--
-- A custom reader (core/pandoc.py, read_markdown_each):
--   pandoc --sandbox -f read_each.lua -t json --bibliography B --csl C -M name=value...
-- Its input: the reader's format, a line feed, then each text followed by SEPARATOR. Going through pandoc's own
-- input handling (byte order mark, carriage returns, tabs expanded to the tab stop, a line feed at the end),
-- each text arrives here as pandoc's Markdown reader gets it on a run of its own, and is read with this command
-- line's reader options (abbreviations, columns, tab stop) and the format's extensions.
-- Made: a document whose blocks are code blocks, the i-th holding the JSON document of the i-th text; pandoc
-- gives that document the command line's metadata, which replaces each text's own of the same name.
-- Nothing here reads or writes a file or the network: each text is read in an empty sandbox.

local SEPARATOR = '\0synthdoc-section\0\n'

function Reader(input, options)
  local text = tostring(input)
  local first_line_end = text:find('\n', 1, true)
  if not first_line_end then
    error('synthdoc read_each: no format line')
  end
  local format = text:sub(1, first_line_end - 1)
  local read = {}
  local start = first_line_end + 1
  -- pandoc adds one line feed after a run's whole input: that is what is left after the last separator.
  while start < #text do
    local stop = text:find(SEPARATOR, start, true)
    if not stop then
      error('synthdoc read_each: a text without its separator')
    end
    -- with the line feed pandoc adds at the end of a run's input
    local one = pandoc.read(text:sub(start, stop - 1) .. '\n', format, options, {})
    read[#read + 1] = pandoc.CodeBlock(pandoc.write(one, 'json'))
    start = stop + #SEPARATOR
  end
  if text:sub(start) ~= '\n' then
    error('synthdoc read_each: unexpected end of input')
  end
  return pandoc.Pandoc(read)
end
