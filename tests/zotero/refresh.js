// synthdoc's test harness: the start of a Zotero "Refresh" in Word, run by Zotero's own integration code
// (integration.js beside this file, from zotero/zotero) over the fields of a DOCX.
//
// stdin: {"codes": [field code after "ADDIN ZOTERO_", ...], "library": {URI: local item ID}}
// Each ITEM field is loaded, unserialized and its items resolved (Citation.loadItemData) in one session, as
// Session._processFields does; then the BIBL field's uncited/omitted/custom lists are resolved
// (Bibliography.loadItemData). The library holds the items whose URIs are listed: any other item must
// survive as an embedded item (its itemData). Prints one JSON object; exits 0.
"use strict";
const fs = require("fs"), path = require("path"), vm = require("vm");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const library = input.library || {};
const itemsGet = [], uriLookups = [];
const noop = () => {};
const libraryItem = (uri) => ({ id: library[uri], uri, deleted: false });
const Zotero = {
  Integration: {}, debug: noop, logError: noop, version: "7.0",
  getString: (s) => s,
  Prefs: { get: () => undefined },
  randomString: () => Math.random().toString(36).slice(2, 10),
  // A lookup by local item ID: what Zotero does with an item's id when the item has no uris.
  Items: {
    get: (id) => { itemsGet.push(id); return false; },
    getByLibraryAndKey: (libraryID, key) => { itemsGet.push(`${libraryID}/${key}`); return false; },
    loadDataTypes: async () => {},
  },
  URI: {
    getURIItem: async (uri) => { uriLookups.push(uri); return uri in library ? libraryItem(uri) : false; },
    getItemURI: (item) => item.uri,
  },
  Relations: { replacedItemPredicate: "dc:replaces", getByPredicateAndObject: async () => [] },
  DB: { valueQueryAsync: async () => null },
  Item: class { constructor() { this.fields = {}; } },
  Utilities: {
    itemFromCSLJSON: noop,
    deepCopy: (x) => JSON.parse(JSON.stringify(x)),
    isEmpty: (o) => !o || !Object.keys(o).length,
    Internal: {},
  },
};
const context = vm.createContext({
  Zotero, console, setTimeout, clearTimeout, Promise, JSON, Math, Object, Array, Set, Map, Error, TypeError,
  ChromeUtils: { importESModule: () => ({}), defineESModuleGetters: noop, import: () => ({}) },
  Components: { interfaces: {}, classes: {}, utils: {} }, Services: {}, Cc: {}, Ci: {}, Cu: {},
});
const source = process.env.ZOTERO_INTEGRATION_JS || path.join(__dirname, "integration.js");
vm.runInContext(fs.readFileSync(source, "utf8"), context, { filename: "integration.js" });

(async () => {
  const session = {
    embeddedItems: {}, embeddedZoteroItems: {}, embeddedItemsByURI: {}, citationsByItemID: {},
    data: { sessionID: "S" },
  };
  session.uriMap = new Zotero.Integration.URIMap(session);
  Zotero.Integration.currentSession = session;
  const out = { fields: 0, read: 0, failures: [], citations: [], bibliography: null };
  const docField = (code) => ({ getCode: async () => code });
  const bibliographies = [];
  for (const [index, code] of input.codes.entries()) {
    out.fields++;
    try {
      const field = await Zotero.Integration.Field.loadExisting(docField(code));
      if (field instanceof Zotero.Integration.BibliographyField) {
        bibliographies.push([index, field]);  // read after the citations, as Session._processFields does
        continue;
      }
      if (!(field instanceof Zotero.Integration.CitationField)) throw new Error("not a Zotero field");
      const data = await field.unserialize();
      const citation = new Zotero.Integration.Citation(field, data, 0);
      await citation.loadItemData(false);  // false: a missing item throws instead of asking the user
      for (const item of citation.citationItems) {
        (session.citationsByItemID[item.id] = session.citationsByItemID[item.id] || []).push(citation);
      }
      out.citations.push(citation.citationItems.map((item) => ({
        id: String(item.id), embedded: typeof item.id === "string" && item.id.startsWith("S/"), uris: item.uris,
      })));
      out.read++;
    } catch (e) {
      out.failures.push({ index, error: `${e && e.name}: ${e && e.message}` });
    }
  }
  for (const [index, field] of bibliographies) {
    try {
      const bibliography = new Zotero.Integration.Bibliography(field, await field.unserialize());
      await bibliography.loadItemData();
      out.bibliography = { uncited: [...bibliography.uncitedItemIDs], omitted: [...bibliography.omittedItemIDs],
                           custom: Object.keys(bibliography.customEntryText) };
      out.read++;
    } catch (e) {
      out.failures.push({ index, error: `${e && e.name}: ${e && e.message}` });
    }
  }
  out.itemsGet = itemsGet;
  out.uriLookups = uriLookups.length;
  out.embeddedItems = Object.keys(session.embeddedItems).length;
  console.log(JSON.stringify(out));
})();
