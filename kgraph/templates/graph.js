/* kgraph's interactive graph: draws the JSON data of the page with vis-network and builds
   the legend, filters, year slider, search, labels and tooltips. Text from the data only
   ever goes through textContent or the canvas (never innerHTML), so a label or quote
   cannot inject markup or script. */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("kgraph-data").textContent);
  const MAX_QUOTES = 6;
  const NO_CHANNEL = "";
  const ARROW_MIN_SCALE = 0.3;
  const FIT_MAX_ZOOM = 1.6;            // "Fit to window" may zoom in this far on a small view
  const LABEL_PX = [11, 15];           // label font sizes on screen, smallest and largest node
  const MAX_LABELS = 400;              // labels drawn at most, however far one zooms in
  const LABEL_CELL = 64;               // grid cell for the overlap test, in screen pixels
  const DASHES = { inferred: [7, 4], proposed: [2, 4] };
  const SVG = "http://www.w3.org/2000/svg"; // the SVG namespace name, not a resource

  const words = data.words;
  const classStyles = new Map(data.classes.map((c) => [c.name, c]));
  const relationStyles = new Map(data.relations.map((r) => [r.name, r]));
  const nodeById = new Map(data.nodes.map((n) => [n.id, n]));
  const edgeById = new Map(data.edges.map((e) => [e.id, e]));
  const incident = new Map(data.nodes.map((n) => [n.id, []]));
  for (const e of data.edges) { incident.get(e.from).push(e); incident.get(e.to).push(e); }
  const hiddenClasses = new Set(data.hiddenClasses);
  const contextClasses = new Set(data.hiddenClasses);
  const hiddenChannels = new Set();
  let year = null; // null: every year, undated relations included
  let visible = new Set();
  let shownEdges = new Set();
  let stabilised = false;
  let physicsOn = data.physics;
  let hovered = null;
  let drawn = [];

  function word(key, values) {
    let text = words[key][0];
    for (const [name, value] of Object.entries(values || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  }

  function setWord(element, key, values) {
    element.textContent = word(key, values);
    element.classList.toggle("untranslated", words[key][1]);
    if (words[key][1]) element.lang = "en"; else element.removeAttribute("lang");
  }

  // Importance: node size first, then the label; labels are placed in this order.
  const byImportance = [...data.nodes].sort((a, b) => (b.focus ? 1 : 0) - (a.focus ? 1 : 0)
    || b.size - a.size || a.label.localeCompare(b.label)).map((n) => n.id);
  const sizes = data.nodes.map((n) => n.size);
  const [smallest, largest] = [Math.min(...sizes), Math.max(...sizes)];
  const labelPx = (n) => (largest > smallest
    ? LABEL_PX[0] + (LABEL_PX[1] - LABEL_PX[0]) * (n.size - smallest) / (largest - smallest) : LABEL_PX[0]);

  // --- the network --------------------------------------------------------------------------

  const nodes = new vis.DataSet(data.nodes.map((n) => {
    const style = classStyles.get(n.group);
    const border = n.focus ? "#000000" : n.status ? "#17202a" : style.colour;
    const colour = { background: style.colour, border: "#17202a" };
    const item = { id: n.id, size: n.size, shape: style.shape, hidden: true,
                   borderWidth: n.focus ? 4 : n.status ? 2 : 1,
                   color: { background: style.colour, border: border, highlight: colour, hover: colour } };
    if (n.status) item.shapeProperties = { borderDashes: DASHES[n.status] };
    if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
    return item;
  }));

  const parallel = new Map(); // how many edges already drawn between the same two nodes
  const edges = new vis.DataSet(data.edges.map((e) => {
    const pair = e.from < e.to ? e.from + "\u0000" + e.to : e.to + "\u0000" + e.from;
    const rank = parallel.get(pair) || 0;
    parallel.set(pair, rank + 1);
    const colour = relationStyles.get(e.group).colour;
    return { id: e.id, from: e.from, to: e.to, width: e.qualified ? 1.6 : 0.8, hidden: true,
             dashes: e.status ? DASHES[e.status] : false,
             color: { color: colour, highlight: colour, hover: colour, opacity: 0.85 },
             smooth: rank ? { enabled: true, type: "curvedCW", roundness: 0.2 * rank } : false };
  }));

  const big = !data.physics && data.nodes.length > 300;
  const network = new vis.Network(document.getElementById("graph"), { nodes, edges }, {
    nodes: { font: { size: 0 }, borderWidth: 1 },
    edges: { arrows: { to: { enabled: true, scaleFactor: 0.5 } }, selectionWidth: 2 },
    interaction: { hover: true, hideEdgesOnDrag: big, hideEdgesOnZoom: big },
    layout: { improvedLayout: false, randomSeed: 7 },
    physics: data.physics
      ? { enabled: true, solver: "forceAtlas2Based",
          forceAtlas2Based: { gravitationalConstant: -60, springLength: 90, avoidOverlap: 0.3 },
          stabilization: { enabled: true, iterations: 400, updateInterval: 25, fit: false } }
      : { enabled: false, solver: "barnesHut", stabilization: { enabled: false } },
  });

  // --- labels: drawn by importance, none over another, in screen pixels -------------------

  function overlapsAny(grid, box, size) {
    for (let gx = Math.floor(box.x / LABEL_CELL); gx <= Math.floor((box.x + box.w) / LABEL_CELL); gx++) {
      for (let gy = Math.floor(box.y / LABEL_CELL); gy <= Math.floor((box.y + box.h) / LABEL_CELL); gy++) {
        for (const other of grid.get(gx + ":" + gy) || []) {
          if (other.size !== undefined && (other.size < size || other.node === box.node)) continue;
          if (box.x < other.x + other.w && other.x < box.x + box.w && box.y < other.y + other.h && other.y < box.y + box.h) return true;
        }
      }
    }
    return false;
  }

  function remember(grid, box) {
    for (let gx = Math.floor(box.x / LABEL_CELL); gx <= Math.floor((box.x + box.w) / LABEL_CELL); gx++) {
      for (let gy = Math.floor(box.y / LABEL_CELL); gy <= Math.floor((box.y + box.h) / LABEL_CELL); gy++) {
        const key = gx + ":" + gy;
        if (!grid.has(key)) grid.set(key, []);
        grid.get(key).push(box);
      }
    }
  }

  function drawLabels(ctx) {
    const canvas = ctx.canvas;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    const ratio = canvas.width / width;
    const scale = network.getScale();
    const first = [...new Set([hovered, ...network.getSelectedNodes()].filter((id) => id && visible.has(id)))];
    const order = first.concat(byImportance.filter((id) => visible.has(id) && !first.includes(id)));
    const positions = network.getPositions(order.slice(0, 20000));
    const grid = new Map();
    const placed = [];
    // The discs of the nodes on screen are obstacles too: a label never covers a node.
    for (const id of order) {
      const at = positions[id];
      if (!at) continue;
      const p = network.canvasToDOM(at);
      const r = nodeById.get(id).size * scale;
      if (r >= 2 && p.x > -r && p.y > -r && p.x < width + r && p.y < height + r) {
        remember(grid, { x: p.x - r, y: p.y - r, w: 2 * r, h: 2 * r, node: id, size: nodeById.get(id).size });
      }
    }
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    for (const id of order) {
      if (placed.length >= MAX_LABELS || !positions[id]) break;
      const n = nodeById.get(id);
      const p = network.canvasToDOM(positions[id]);
      const px = labelPx(n);
      const r = n.size * scale;
      ctx.font = (n.untranslated ? "italic " : "") + (n.focus || first.includes(id) ? "700 " : "500 ") + px + "px system-ui, sans-serif";
      const w = ctx.measureText(n.label).width;
      const box = { x: p.x - w / 2, y: p.y + r + 2, w: w, h: px * 1.2, id: id, label: n.label, px: px };
      if (box.x < 0 || box.y < 0 || box.x + box.w > width || box.y + box.h > height) continue;
      // A label may cover smaller nodes (importance wins), never a label or a larger node.
      if (!first.includes(id) && overlapsAny(grid, { x: box.x, y: box.y, w: box.w, h: box.h, node: id }, n.size)) continue;
      remember(grid, box);
      placed.push(box);
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255, 255, 255, 0.92)";
      ctx.strokeText(n.label, box.x, box.y);
      ctx.fillStyle = "#17202a";
      ctx.fillText(n.label, box.x, box.y);
    }
    ctx.restore();
    drawn = placed;
  }
  network.on("afterDrawing", drawLabels);

  function fit() {
    network.fit({ nodes: [...visible], maxZoomLevel: FIT_MAX_ZOOM, animation: false });
  }

  const loading = document.getElementById("loading");
  function settled() {
    stabilised = true;
    loading.hidden = true;
    fit();
    physicsButton();
    focusFromAddress();
  }
  if (data.physics) {
    network.on("stabilizationProgress", (p) => {
      loading.textContent = word("graph.loading") + " " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", () => {
      network.setOptions({ physics: { enabled: false } });
      physicsOn = false;
      settled();
    });
  } else {
    network.once("afterDrawing", settled);
    // Arrow heads are most of the drawing time of a big graph and too small to see when
    // zoomed out: draw them only from ARROW_MIN_SCALE on.
    let arrows = true;
    const showArrows = () => {
      const wanted = !big || network.getScale() >= ARROW_MIN_SCALE;
      if (wanted !== arrows) {
        arrows = wanted;
        network.setOptions({ edges: { arrows: { to: { enabled: arrows } } } });
      }
    };
    network.on("zoom", showArrows);
    network.once("afterDrawing", showArrows);
  }

  // --- panel: status, legend and filters ----------------------------------------------------

  function add(parent, tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    parent.appendChild(element);
    return element;
  }

  function shapeSwatch(shape, colour) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "14");
    svg.setAttribute("height", "14");
    svg.setAttribute("viewBox", "0 0 14 14");
    const points = {
      diamond: "7,0 14,7 7,14 0,7", triangle: "7,1 13,13 1,13", triangleDown: "1,1 13,1 7,13",
      square: "1,1 13,1 13,13 1,13", hexagon: "4,1 10,1 13,7 10,13 4,13 1,7",
      star: "7,0 9,5 14,5 10,8 12,14 7,10 2,14 4,8 0,5 5,5",
    }[shape];
    const mark = document.createElementNS(SVG, points ? "polygon" : "circle");
    if (points) {
      mark.setAttribute("points", points);
    } else {
      mark.setAttribute("cx", "7"); mark.setAttribute("cy", "7"); mark.setAttribute("r", "6");
    }
    mark.setAttribute("fill", colour);
    svg.appendChild(mark);
    return svg;
  }

  function lineSwatch(colour, dashes) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "14");
    const line = document.createElementNS(SVG, "line");
    for (const [name, value] of [["x1", "0"], ["y1", "7"], ["x2", "18"], ["y2", "7"],
                                 ["stroke", colour], ["stroke-width", "3"]]) {
      line.setAttribute(name, value);
    }
    if (dashes) line.setAttribute("stroke-dasharray", dashes.join(" "));
    svg.appendChild(line);
    return svg;
  }

  function nameSpan(parent, text, untranslated) {
    const span = add(parent, "span", "name" + (untranslated ? " untranslated" : ""), text);
    if (untranslated) span.lang = "en";
    return span;
  }

  function checkItem(list, swatch, name, title, untranslated, count, onChange) {
    const item = add(list, "li");
    const label = add(item, "label");
    const box = add(label, "input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.name = name;
    box.addEventListener("change", () => onChange(name, box.checked));
    if (swatch) label.appendChild(swatch);
    if (name === NO_CHANNEL) setWord(add(label, "span", "name"), "graph.no-channel");
    else nameSpan(label, title, untranslated);
    add(label, "span", "count", String(count));
    return box;
  }

  const classList = document.getElementById("classes");
  const channelList = document.getElementById("channels");
  data.classes.forEach((c) => {
    checkItem(classList, shapeSwatch(c.shape, c.colour), c.name, c.title, c.untranslated, c.count, filterClass)
      .checked = !hiddenClasses.has(c.name);
  });
  data.channels.forEach((c) => checkItem(channelList, null, c.id, c.label, c.untranslated, c.count, filterChannel));
  const relationList = document.getElementById("relations");
  data.relations.forEach((r) => {
    const item = add(relationList, "li");
    item.appendChild(lineSwatch(r.colour));
    nameSpan(item, r.title, r.untranslated);
    add(item, "span", "count", String(r.count));
  });
  if (data.statuses.some((s) => s.id !== "stated" && s.count)) {
    const statusList = document.getElementById("statuses");
    statusList.hidden = false;
    document.getElementById("statuses-heading").hidden = false;
    data.statuses.forEach((s) => {
      const item = add(statusList, "li");
      item.title = word("status." + s.id + "-note");
      item.appendChild(lineSwatch("#566573", DASHES[s.id]));
      nameSpan(item, s.label, s.untranslated);
      add(item, "span", "count", String(s.count));
    });
  }
  setWord(document.getElementById("size-note"), "graph.size-note", { metric: data.sizeBy });
  if (data.lang !== "en") {
    const note = document.getElementById("language-note");
    const language = word("language." + data.lang);
    const missingWords = Object.values(words).some((w) => w[1]);
    note.textContent = (data.untranslated ? word("graph.untranslated-names", { count: data.untranslated, total: data.nodes.length, language: language }) + " " : "")
      + (missingWords ? word("graph.untranslated-words", { language: language }) : "");
    note.hidden = !note.textContent;
  }
  const labels = document.getElementById("labels");
  for (const n of [...data.nodes].sort((a, b) => a.label.localeCompare(b.label))) {
    add(labels, "option").value = n.label;
  }

  const edgeYearShown = (e) => year === null || e.year === undefined || e.year <= year;
  // As kgraph.network.until_year: a node stays while one of its relations does (or if it
  // never had any).
  const nodeYearShown = (n) => year === null || !incident.get(n.id).length || incident.get(n.id).some(edgeYearShown);
  const channelShown = (list) => (list.length ? list.some((c) => !hiddenChannels.has(c))
                                              : !hiddenChannels.has(NO_CHANNEL));
  const nodeShown = (n) => !hiddenClasses.has(n.group) && channelShown(n.channels) && nodeYearShown(n);
  const edgeShown = (e) => visible.has(e.from) && visible.has(e.to) && channelShown(e.channels) && edgeYearShown(e);

  const status = document.getElementById("status");
  function refresh() {
    visible = new Set(data.nodes.filter(nodeShown).map((n) => n.id));
    shownEdges = new Set(data.edges.filter(edgeShown).map((e) => e.id));
    nodes.update(data.nodes.filter((n) => nodes.get(n.id).hidden === visible.has(n.id))
      .map((n) => ({ id: n.id, hidden: !visible.has(n.id) })));
    edges.update(data.edges.filter((e) => edges.get(e.id).hidden === shownEdges.has(e.id))
      .map((e) => ({ id: e.id, hidden: !shownEdges.has(e.id) })));
    const shown = visible.size, linked = shownEdges.size;
    status.textContent = word("graph.counts", { nodes: nodes.length, edges: edges.length })
      + (shown < nodes.length || linked < edges.length ? " " + word("graph.showing", { nodes: shown, edges: linked }) : "");
    contextButton();
  }

  function syncBox(list, name, shown) {
    for (const box of list.querySelectorAll("input")) {
      if (box.dataset.name === name) box.checked = shown;
    }
  }

  function filterClass(name, shown) {
    if (shown) hiddenClasses.delete(name); else hiddenClasses.add(name);
    syncBox(classList, name, shown);
    refresh();
    return visible.size;
  }

  function filterChannel(id, shown) {
    if (shown) hiddenChannels.delete(id); else hiddenChannels.add(id);
    syncBox(channelList, id, shown);
    refresh();
    return visible.size;
  }

  function showAll() {
    hiddenClasses.clear();
    hiddenChannels.clear();
    for (const box of document.querySelectorAll(".legend input")) box.checked = true;
    setYear(null);
  }

  const contextToggle = document.getElementById("context");
  function contextButton() {
    contextToggle.hidden = !contextClasses.size;
    setWord(contextToggle, [...contextClasses].some((c) => hiddenClasses.has(c)) ? "graph.show-context" : "graph.hide-context");
  }
  function showContext(shown) {
    for (const name of contextClasses) {
      if (shown) hiddenClasses.delete(name); else hiddenClasses.add(name);
      syncBox(classList, name, shown);
    }
    refresh();
    return visible.size;
  }
  contextToggle.addEventListener("click", () => showContext([...contextClasses].some((c) => hiddenClasses.has(c))));

  // --- the year slider ----------------------------------------------------------------------

  const yearInput = document.getElementById("year");
  const yearValue = document.getElementById("year-value");
  function setYear(value) {
    year = value === null || value === undefined ? null : Number(value);
    const index = year === null ? data.years.length : data.years.filter((y) => y <= year).length - 1;
    yearInput.value = String(Math.max(0, index));
    if (year === null) setWord(yearValue, "graph.all-years"); else setWord(yearValue, "graph.as-of", { year: year });
    refresh();
    return [visible.size, shownEdges.size];
  }
  if (data.years.length) {
    document.getElementById("years").hidden = false;
    yearInput.max = String(data.years.length); // the last step: every year
    yearInput.addEventListener("input", () => {
      const index = Number(yearInput.value);
      setYear(index >= data.years.length ? null : data.years[index]);
    });
  }

  // --- search and physics -------------------------------------------------------------------

  const searchMessage = document.getElementById("search-message");
  function search(text) {
    const wanted = String(text).trim().toLowerCase();
    const names = (n) => [n.id, n.label, n.en || ""].map((s) => s.toLowerCase());
    const exact = (n) => names(n).includes(wanted);
    const partial = (n) => names(n).some((s) => s.includes(wanted));
    const shown = data.nodes.filter((n) => visible.has(n.id));
    const bySize = (a, b) => b.size - a.size;
    const found = wanted && (shown.find(exact) || shown.filter(partial).sort(bySize)[0]);
    if (!found) {
      const hidden = wanted && data.nodes.some(partial);
      if (!wanted) searchMessage.textContent = "";
      else setWord(searchMessage, hidden ? "graph.hidden-match" : "graph.no-match", { text: text });
      return null;
    }
    searchMessage.textContent = "";
    network.selectNodes([found.id]);
    network.focus(found.id, { scale: Math.max(network.getScale(), 1), animation: false });
    return found.id;
  }

  function focusFromAddress() {
    // graph.html#china opens on China (the briefs link so): its class is shown if hidden.
    const wanted = decodeURIComponent(window.location.hash.slice(1));
    const n = nodeById.get(wanted);
    if (!n) return;
    if (hiddenClasses.has(n.group)) filterClass(n.group, true);
    search(n.id);
  }
  window.addEventListener("hashchange", focusFromAddress);

  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search(document.getElementById("search").value);
  });

  const physics = document.getElementById("physics");
  function physicsButton() {
    setWord(physics, physicsOn ? "graph.freeze" : "graph.resume");
  }
  function togglePhysics() {
    physicsOn = !physicsOn;
    network.setOptions({ physics: { enabled: physicsOn } });
    physicsButton();
    return physicsOn;
  }
  physics.addEventListener("click", togglePhysics);
  document.getElementById("fit").addEventListener("click", fit);
  document.getElementById("show-all").addEventListener("click", showAll);
  physicsButton();

  // --- tooltips -----------------------------------------------------------------------------

  const tooltip = document.getElementById("tooltip");
  const labelOf = (id) => (nodeById.get(id) || { label: id }).label;

  function table(parent, rows) {
    if (!rows.length) return;
    const body = add(parent, "table");
    for (const [name, value] of rows) {
      const row = add(body, "tr");
      add(row, "th", "", name);
      add(row, "td", "", value);
    }
  }

  function badge(parent, item) {
    if (!item.status) return;
    const statusItem = data.statuses.find((s) => s.id === item.status);
    const box = add(parent, "div", "badge badge-" + item.status);
    nameSpan(box, statusItem.label, statusItem.untranslated);
    add(box, "span", "badge-note", " \u2014 " + word("status." + item.status + "-note"));
  }

  function note(parent, item) {
    if (item.note && data.notes[item.note]) add(parent, "div", "fact-note", data.notes[item.note]);
  }

  function sources(parent, fact) {
    const quotes = (fact && data.evidence[fact]) || [];
    for (const [source, quote] of quotes.slice(0, MAX_QUOTES)) {
      const box = add(parent, "div", "source");
      add(box, "div", "source-title", data.sources[source] || source);
      if (quote) add(box, "blockquote", "", "\u201c" + quote + "\u201d");
    }
    if (quotes.length > MAX_QUOTES) add(parent, "div", "source", word("graph.more", { count: quotes.length - MAX_QUOTES }));
  }

  function place(pointer) {
    tooltip.hidden = false;
    const area = tooltip.parentElement;
    const x = Math.min(pointer.x + 14, area.clientWidth - tooltip.offsetWidth - 4);
    const y = Math.min(pointer.y + 14, area.clientHeight - tooltip.offsetHeight - 4);
    tooltip.style.left = Math.max(0, x) + "px";
    tooltip.style.top = Math.max(0, y) + "px";
  }

  function showNode(id, pointer) {
    const n = nodeById.get(id);
    const style = classStyles.get(n.group);
    tooltip.replaceChildren();
    const title = add(tooltip, "div", "title" + (n.untranslated ? " untranslated" : ""), n.label);
    if (n.untranslated) title.lang = "en";
    if (n.en) add(tooltip, "div", "subtitle", n.en);
    nameSpan(add(tooltip, "div", "subtitle"), style.title, style.untranslated);
    if (n.focus) setWord(add(tooltip, "div", "subtitle focus"), "graph.focus");
    badge(tooltip, n);
    note(tooltip, n);
    table(tooltip, n.facts.concat(n.metrics));
    sources(tooltip, n.evidence);
    place(pointer);
  }

  function showEdge(id, pointer) {
    const e = edgeById.get(id);
    tooltip.replaceChildren();
    add(tooltip, "div", "title", e.title);
    add(tooltip, "div", "subtitle", labelOf(e.from) + " \u2192 " + labelOf(e.to));
    badge(tooltip, e);
    note(tooltip, e);
    table(tooltip, e.facts);
    sources(tooltip, e.evidence);
    place(pointer);
  }

  const hideTooltip = () => { tooltip.hidden = true; };
  network.on("hoverNode", (p) => { hovered = p.node; showNode(p.node, p.pointer.DOM); });
  network.on("hoverEdge", (p) => showEdge(p.edge, p.pointer.DOM));
  network.on("blurNode", () => { hovered = null; hideTooltip(); });
  network.on("blurEdge", hideTooltip);
  network.on("dragStart", hideTooltip);
  network.on("zoom", hideTooltip);

  setYear(null);

  window.kgraph = {
    network,
    nodeCount: () => nodes.length,
    edgeCount: () => edges.length,
    visibleNodeCount: () => visible.size,
    visibleEdgeCount: () => shownEdges.size,
    visibleNodeIds: () => [...visible].sort(),
    search,
    filterClass,
    filterChannel,
    showAll,
    showContext,
    setYear,
    fit,
    drawnLabels: () => drawn.map((b) => ({ id: b.id, label: b.label, x: b.x, y: b.y, w: b.w, h: b.h, px: b.px })),
    togglePhysics,
    isPhysicsOn: () => physicsOn,
    isStabilised: () => stabilised,
  };
})();
