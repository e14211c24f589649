"""Where claims come from besides typing them: importers of PDF highlights, Zotero 7 annotations and
extraction sheets (CSV/XLSX), and the claims files they extend."""
