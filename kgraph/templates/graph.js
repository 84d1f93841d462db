/* kgraph's interactive graph: draws the JSON data of the page with vis-network and builds
   the legend, filters, search and tooltips. Text from the data only ever goes through
   textContent (never innerHTML), so a label or quote cannot inject markup or script. */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("kgraph-data").textContent);
  const MAX_QUOTES = 6;
  const NO_CHANNEL = "";
  const ARROW_MIN_SCALE = 0.3;
  const SVG = "http://www.w3.org/2000/svg"; // the SVG namespace name, not a resource

  const classStyles = new Map(data.classes.map((c) => [c.name, c]));
  const relationStyles = new Map(data.relations.map((r) => [r.name, r]));
  const nodeById = new Map(data.nodes.map((n) => [n.id, n]));
  const edgeById = new Map(data.edges.map((e) => [e.id, e]));
  const hiddenClasses = new Set();
  const hiddenChannels = new Set();
  let visible = new Set(nodeById.keys());
  let stabilised = false;
  let physicsOn = data.physics;

  // --- the network --------------------------------------------------------------------------

  const nodes = new vis.DataSet(data.nodes.map((n) => {
    const style = classStyles.get(n.group);
    const colour = { background: style.colour, border: "#17202a" };
    const item = { id: n.id, label: n.label, size: n.size, shape: style.shape,
                   color: { background: style.colour, border: style.colour, highlight: colour, hover: colour } };
    if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
    return item;
  }));

  const parallel = new Map(); // how many edges already drawn between the same two nodes
  const edges = new vis.DataSet(data.edges.map((e) => {
    const pair = e.from < e.to ? e.from + "\u0000" + e.to : e.to + "\u0000" + e.from;
    const rank = parallel.get(pair) || 0;
    parallel.set(pair, rank + 1);
    const colour = relationStyles.get(e.group).colour;
    return { id: e.id, from: e.from, to: e.to, width: e.qualified ? 1.6 : 0.8,
             color: { color: colour, highlight: colour, hover: colour, opacity: 0.85 },
             smooth: rank ? { enabled: true, type: "curvedCW", roundness: 0.2 * rank } : false };
  }));

  const channelShown = (list) => (list.length ? list.some((c) => !hiddenChannels.has(c))
                                              : !hiddenChannels.has(NO_CHANNEL));
  const nodeShown = (n) => !hiddenClasses.has(n.group) && channelShown(n.channels);
  const edgeShown = (e) => visible.has(e.from) && visible.has(e.to) && channelShown(e.channels);
  const nodeView = new vis.DataView(nodes, { filter: (item) => visible.has(item.id) });
  const edgeView = new vis.DataView(edges, { filter: (item) => edgeShown(edgeById.get(item.id)) });

  const big = !data.physics;
  const network = new vis.Network(document.getElementById("graph"), { nodes: nodeView, edges: edgeView }, {
    nodes: { font: { size: 12, face: "system-ui, sans-serif" }, borderWidth: 1 },
    edges: { arrows: { to: { enabled: true, scaleFactor: 0.5 } }, selectionWidth: 2 },
    interaction: { hover: true, hideEdgesOnDrag: big, hideEdgesOnZoom: big },
    layout: { improvedLayout: false, randomSeed: 7 },
    physics: data.physics
      ? { enabled: true, solver: "forceAtlas2Based",
          forceAtlas2Based: { gravitationalConstant: -60, springLength: 90, avoidOverlap: 0.3 },
          stabilization: { enabled: true, iterations: 400, updateInterval: 25, fit: true } }
      : { enabled: false, solver: "barnesHut", stabilization: { enabled: false } },
  });

  const loading = document.getElementById("loading");
  function settled() {
    stabilised = true;
    loading.hidden = true;
    physicsButton();
  }
  if (data.physics) {
    network.on("stabilizationProgress", (p) => {
      loading.textContent = "Laying out the graph\u2026 " + Math.round(100 * p.iterations / p.total) + "%";
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
      const wanted = network.getScale() >= ARROW_MIN_SCALE;
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

  function lineSwatch(colour) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "14");
    const line = document.createElementNS(SVG, "line");
    for (const [name, value] of [["x1", "0"], ["y1", "7"], ["x2", "18"], ["y2", "7"],
                                 ["stroke", colour], ["stroke-width", "3"]]) {
      line.setAttribute(name, value);
    }
    svg.appendChild(line);
    return svg;
  }

  function checkItem(list, swatch, name, count, onChange) {
    const item = add(list, "li");
    const label = add(item, "label");
    const box = add(label, "input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.name = name;
    box.addEventListener("change", () => onChange(name, box.checked));
    if (swatch) label.appendChild(swatch);
    add(label, "span", "name", name === NO_CHANNEL ? "(no channel)" : name);
    add(label, "span", "count", String(count));
  }

  const classList = document.getElementById("classes");
  const channelList = document.getElementById("channels");
  data.classes.forEach((c) => checkItem(classList, shapeSwatch(c.shape, c.colour), c.name, c.count, filterClass));
  data.channels.forEach((c) => checkItem(channelList, null, c.id, c.count, filterChannel));
  const relationList = document.getElementById("relations");
  data.relations.forEach((r) => {
    const item = add(relationList, "li");
    item.appendChild(lineSwatch(r.colour));
    add(item, "span", "name", r.name);
    add(item, "span", "count", String(r.count));
  });
  document.getElementById("size-note").textContent = "Node area grows with " + data.sizeBy + ".";
  const labels = document.getElementById("labels");
  for (const n of [...data.nodes].sort((a, b) => a.label.localeCompare(b.label))) {
    add(labels, "option").value = n.label;
  }

  const status = document.getElementById("status");
  function refresh() {
    visible = new Set(data.nodes.filter(nodeShown).map((n) => n.id));
    nodeView.refresh();
    edgeView.refresh();
    const shown = visibleNodeCount(), linked = visibleEdgeCount();
    status.textContent = nodes.length + " nodes, " + edges.length + " edges"
      + (shown < nodes.length || linked < edges.length ? " (showing " + shown + " nodes, " + linked + " edges)" : "");
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
    return visibleNodeCount();
  }

  function filterChannel(id, shown) {
    if (shown) hiddenChannels.delete(id); else hiddenChannels.add(id);
    syncBox(channelList, id, shown);
    refresh();
    return visibleNodeCount();
  }

  function showAll() {
    hiddenClasses.clear();
    hiddenChannels.clear();
    for (const box of document.querySelectorAll(".legend input")) box.checked = true;
    refresh();
  }

  const visibleNodeCount = () => nodeView.getIds().length;
  const visibleEdgeCount = () => edgeView.getIds().length;

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
      searchMessage.textContent = !wanted ? "" : hidden ? "\u201c" + text + "\u201d is hidden by a filter."
                                                        : "No entity matches \u201c" + text + "\u201d.";
      return null;
    }
    searchMessage.textContent = "";
    network.selectNodes([found.id]);
    network.focus(found.id, { scale: Math.max(network.getScale(), 1), animation: false });
    return found.id;
  }

  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search(document.getElementById("search").value);
  });

  const physics = document.getElementById("physics");
  function physicsButton() {
    physics.textContent = physicsOn ? "Freeze layout" : "Resume physics";
  }
  function togglePhysics() {
    physicsOn = !physicsOn;
    network.setOptions({ physics: { enabled: physicsOn } });
    physicsButton();
    return physicsOn;
  }
  physics.addEventListener("click", togglePhysics);
  document.getElementById("fit").addEventListener("click", () => network.fit({ animation: false }));
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

  function sources(parent, fact) {
    const quotes = (fact && data.evidence[fact]) || [];
    for (const [source, quote] of quotes.slice(0, MAX_QUOTES)) {
      const box = add(parent, "div", "source");
      add(box, "div", "source-title", data.sources[source] || source);
      if (quote) add(box, "blockquote", "", "\u201c" + quote + "\u201d");
    }
    if (quotes.length > MAX_QUOTES) add(parent, "div", "source", "and " + (quotes.length - MAX_QUOTES) + " more");
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
    tooltip.replaceChildren();
    add(tooltip, "div", "title", n.label);
    if (n.en) add(tooltip, "div", "subtitle", n.en);
    add(tooltip, "div", "subtitle", n.class);
    table(tooltip, n.facts.concat(n.metrics));
    sources(tooltip, n.evidence);
    place(pointer);
  }

  function showEdge(id, pointer) {
    const e = edgeById.get(id);
    tooltip.replaceChildren();
    add(tooltip, "div", "title", e.relation);
    add(tooltip, "div", "subtitle", labelOf(e.from) + " \u2192 " + labelOf(e.to));
    table(tooltip, e.facts);
    sources(tooltip, e.evidence);
    place(pointer);
  }

  const hideTooltip = () => { tooltip.hidden = true; };
  network.on("hoverNode", (p) => showNode(p.node, p.pointer.DOM));
  network.on("hoverEdge", (p) => showEdge(p.edge, p.pointer.DOM));
  network.on("blurNode", hideTooltip);
  network.on("blurEdge", hideTooltip);
  network.on("dragStart", hideTooltip);
  network.on("zoom", hideTooltip);

  refresh();

  window.kgraph = {
    network,
    nodeCount: () => nodes.length,
    edgeCount: () => edges.length,
    visibleNodeCount,
    visibleEdgeCount,
    search,
    filterClass,
    filterChannel,
    showAll,
    togglePhysics,
    isPhysicsOn: () => physicsOn,
    isStabilised: () => stabilised,
  };
})();
