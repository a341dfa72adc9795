// The query page: YASGUI on this server's /sparql, the saved queries as examples, results linked to
// the entity pages of this server, and download links for the last answer. No network access needed.
"use strict";
(() => {
  const config = JSON.parse(document.getElementById("diplokg-config").textContent);
  const queries = new Map(config.queries.map((q) => [q.name, q]));
  const RESULT_FORMATS = [["CSV", "csv"], ["TSV", "tsv"], ["JSON", "json"], ["XML", "xml"]];
  const GRAPH_FORMATS = [["Turtle", "ttl"], ["N-Triples", "nt"], ["JSON-LD", "jsonld"], ["RDF/XML", "xml"]];
  const used = ["rdf", "rdfs", "skos", "foaf", "org", "schema", "dip", "person", "orgn", "event"];
  const prologue = used.map((p) => `PREFIX ${p}: <${config.prefixes[p]}>`).join("\n");

  // The property and class autocompleters ask Linked Open Vocabularies over the internet: leave them out.
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter((n) => n !== "property" && n !== "class");
  Yasgui.Yasqe.defaults.value = `${prologue}\n\nSELECT ?person ?name WHERE {\n  ?person a foaf:Person ; skos:prefLabel ?name .\n}\nORDER BY ?name\nLIMIT 100\n`;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }] },
    persistenceId: null,
    populateFromUrl: false,
    yasr: { prefixes: config.prefixes },
  });
  const tab = () => yasgui.getTab();

  // IRIs of the graph open their page on this server, in the same window.
  const localise = (root) => {
    for (const a of root.querySelectorAll(`a[href^="${config.idBase}"]`)) {
      a.href = "/id/" + a.getAttribute("href").slice(config.idBase.length);
      a.target = "_self";
      a.removeAttribute("rel");
    }
  };
  // Booleans as true/false, not as "true"^^xsd:boolean cut short by the table's ellipsis.
  const plainBooleans = (root) => {
    for (const cell of root.querySelectorAll(".yasr td")) {
      const found = cell.textContent.replace(/\s+/g, "").match(/^"(true|false)"\^\^xsd:b/);
      if (found) cell.textContent = found[1];
    }
  };
  new MutationObserver(() => {
    localise(document.getElementById("yasgui"));
    plainBooleans(document.getElementById("yasgui"));
  })
    .observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  const downloads = document.getElementById("downloads");
  const showDownloads = (kind, url) => {
    downloads.querySelectorAll("a").forEach((a) => a.remove());
    for (const [label, format] of kind === "graph" ? GRAPH_FORMATS : RESULT_FORMATS) {
      const a = document.createElement("a");
      a.className = "button download";
      a.textContent = label;
      a.href = `${url}${url.includes("?") ? "&" : "?"}format=${format}`;
      a.download = "";
      downloads.append(" ", a);
    }
  };
  const kindOf = (form) => (form === "CONSTRUCT" || form === "DESCRIBE" ? "graph" : "results");
  yasgui.on("query", (_instance, current) => {
    const form = current.getYasqe().getQueryType();
    showDownloads(kindOf(form), `/sparql?query=${encodeURIComponent(current.getQuery())}`);
  });

  // The saved queries: load one into the editor; run it with its parameters bound on the server.
  const form = document.getElementById("saved");
  const fields = document.getElementById("saved-parameters");
  let selected = null;
  const savedUrl = () => {
    const params = new URLSearchParams(new FormData(form));
    return `${selected.url}${params.toString() ? "?" + params : ""}`;
  };
  // The editor shows the saved query with the parameter box's values bound (a VALUES block), so that
  // the editor's run button runs exactly what the box says.
  let pending = 0;
  const showBound = async () => {
    const ticket = ++pending;
    const params = new URLSearchParams(new FormData(form));
    const response = await fetch(`${selected.url}/text${params.toString() ? "?" + params : ""}`);
    if (ticket === pending && response.ok) tab().setQuery(await response.text());
  };
  for (const button of document.querySelectorAll("button.example")) {
    button.addEventListener("click", () => {
      selected = queries.get(button.dataset.name);
      document.querySelectorAll("button.example").forEach((b) => b.classList.toggle("selected", b === button));
      tab().setQuery(selected.text);
      document.getElementById("saved-title").textContent = selected.title;
      fields.replaceChildren(...selected.parameters.map((p) => {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.name = p.name;
        input.value = p.default || "";
        input.title = p.description;
        label.append(`${p.name} `, input);
        return label;
      }));
      form.hidden = false;
      document.getElementById("saved-page").href = savedUrl();
      showBound();
    });
  }
  form.addEventListener("input", () => {
    document.getElementById("saved-page").href = savedUrl();
    showBound();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = kindOf(selected.form);
    const url = savedUrl();
    const started = Date.now();
    const yasr = tab().getYasr();
    try {
      const accept = kind === "graph" ? "text/turtle" : "application/sparql-results+json";
      const response = await fetch(url, { headers: { Accept: accept } });
      const content = await response.text();
      if (!response.ok) throw new Error(content || response.statusText);
      yasr.setResponse({ ok: true, status: response.status, statusText: response.statusText, headers: response.headers,
                         type: response.type, content }, Date.now() - started);
      showDownloads(kind, url);
    } catch (error) {
      yasr.setResponse(error, Date.now() - started);
    }
    localise(document.getElementById("yasgui"));
  });
})();
