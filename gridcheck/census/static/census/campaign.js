"use strict";
// The census campaign's charts (discrepancies by kind, by area), drawn from the JSON data island the page
// carries (json_script). Labels are data: ECharts writes them as text and the tooltips are plain text
// (renderMode "richText"), so nothing in a label is read as HTML.
(function () {
  if (!window.echarts) { return; }
  var node = document.getElementById("gc-census-chart-data");
  if (!node) { return; }
  var data = JSON.parse(node.textContent);
  var L = data.labels;
  var charts = [];

  function tip(params) {
    var p = Array.isArray(params) ? params[0] : params;
    return String(p.name) + "\n" + L.count + ": " + p.value;
  }
  function draw(id, block, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var total = block.values.reduce(function (a, b) { return a + b; }, 0);
    if (!total) {
      el.classList.add("d-flex", "align-items-center", "justify-content-center", "text-secondary", "small");
      el.textContent = L.empty;
      return;
    }
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }
  function bars(block, color) {
    return {
      color: [color],
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, renderMode: "richText", formatter: tip},
      grid: {left: 8, right: 24, top: 8, bottom: 8, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", inverse: true, data: block.labels, axisLabel: {fontSize: 11}},
      series: [{name: L.count, type: "bar", barMaxWidth: 18, data: block.values, label: {show: true, position: "right", fontSize: 11}}]
    };
  }
  draw("gc-census-chart-kind", data.kinds, bars(data.kinds, "#0b5cab"));
  draw("gc-census-chart-area", data.areas, bars(data.areas, "#f79009"));
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
