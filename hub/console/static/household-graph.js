// The household picture: d3 (vendored) lays out the graph the page carries in
// data-graph and draws it as SVG. Runs under the console's CSP: no inline script, and
// only attributes and classes are set (no style attributes).
(function () {
  "use strict";
  var RADIUS = { household: 26, member: 20, "member-deceased": 20, supporter: 16, aid: 14, asset: 14 };

  function draw(svgElement) {
    var graph = JSON.parse(svgElement.getAttribute("data-graph"));
    var width = svgElement.clientWidth || 900;
    var height = Math.max(360, 60 * Math.ceil(Math.sqrt(graph.nodes.length)) + 200);
    var svg = d3.select(svgElement).attr("viewBox", [0, 0, width, height]).attr("height", height);
    var simulation = d3.forceSimulation(graph.nodes)
      .force("link", d3.forceLink(graph.links).id(function (d) { return d.id; }).distance(110))
      .force("charge", d3.forceManyBody().strength(-420))
      .force("collide", d3.forceCollide(46))
      .force("center", d3.forceCenter(width / 2, height / 2))
      .stop();
    for (var i = 0; i < 400; i += 1) { simulation.tick(); }
    graph.nodes.forEach(function (d) {
      d.x = Math.max(60, Math.min(width - 60, d.x));
      d.y = Math.max(30, Math.min(height - 30, d.y));
    });
    var links = svg.append("g").attr("class", "links").selectAll("g").data(graph.links).join("g");
    links.append("line").attr("class", "link")
      .attr("x1", function (d) { return d.source.x; }).attr("y1", function (d) { return d.source.y; })
      .attr("x2", function (d) { return d.target.x; }).attr("y2", function (d) { return d.target.y; });
    links.append("text").attr("class", "link-label")
      .attr("x", function (d) { return (d.source.x + d.target.x) / 2; })
      .attr("y", function (d) { return (d.source.y + d.target.y) / 2; })
      .text(function (d) { return d.label; });
    var nodes = svg.append("g").attr("class", "nodes").selectAll("g").data(graph.nodes).join("g")
      .attr("class", function (d) { return "node node-" + d.kind; })
      .attr("transform", function (d) { return "translate(" + d.x + "," + d.y + ")"; });
    nodes.append("circle").attr("r", function (d) { return RADIUS[d.kind] || 14; });
    nodes.append("text").attr("class", "node-label").attr("dy", function (d) {
      return (RADIUS[d.kind] || 14) + 14;
    }).text(function (d) { return d.label; });
    svgElement.setAttribute("data-drawn", String(graph.nodes.length));
  }

  function drawAll() {
    document.querySelectorAll("svg.household-graph:not([data-drawn])").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
}());
