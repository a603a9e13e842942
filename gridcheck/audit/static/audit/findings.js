"use strict";
// The findings list's charts (by theme, by module, by area), drawn from the JSON the page carries
// (json_script). Labels are data: ECharts writes them as text, and the tooltips are plain text
// (renderMode "richText"), so nothing in a label is read as HTML.
(function () {
  if (!window.echarts) { return; }
  var node = document.getElementById("gc-audit-chart-data");
  if (!node) { return; }
  var data = JSON.parse(node.textContent);
  var L = data.labels;
  var charts = [];
  var palette = ["#0b5cab", "#f79009", "#12b76a", "#d92d20", "#7a5af8", "#0e9384"];

  function total(values) { return values.reduce(function (a, b) { return a + b; }, 0); }
  function tip(params) {
    var p = Array.isArray(params) ? params[0] : params;
    return String(p.name) + "\n" + L.findings + ": " + p.value;
  }
  function draw(id, block, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    if (!block.values.length || total(block.values) === 0) {
      el.classList.add("d-flex", "align-items-center", "justify-content-center", "text-secondary", "small");
      el.textContent = L.empty;
      return;
    }
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }

  draw("gc-audit-chart-theme", data.themes, {
    color: palette,
    tooltip: {trigger: "item", renderMode: "richText", formatter: tip},
    legend: {bottom: 0, textStyle: {fontSize: 11}},
    series: [{
      // a ring small enough for its outside labels in a narrow card (wider, the big slices' labels
      // fell outside the canvas)
      name: L.theme, type: "pie", radius: ["28%", "50%"], center: ["50%", "45%"],
      label: {formatter: "{b}\n{c}", fontSize: 11}, labelLine: {length: 6, length2: 4},
      data: data.themes.labels.map(function (name, i) { return {name: name, value: data.themes.values[i]}; })
        .filter(function (d) { return d.value > 0; })
    }]
  });

  draw("gc-audit-chart-module", data.modules, {
    color: ["#0b5cab"],
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, renderMode: "richText", formatter: tip},
    grid: {left: 40, right: 12, top: 16, bottom: 32},
    xAxis: {type: "category", data: data.modules.labels, axisLabel: {interval: 0, fontSize: 11, width: 60, overflow: "break"}},
    yAxis: {type: "value", minInterval: 1},
    series: [{name: L.findings, type: "bar", barMaxWidth: 32, data: data.modules.values, label: {show: true, position: "top", fontSize: 11}}]
  });

  var areaLabels = data.areas.labels.slice().reverse();
  var areaValues = data.areas.values.slice().reverse();
  draw("gc-audit-chart-area", data.areas, {
    color: ["#f79009"],
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, renderMode: "richText", formatter: tip},
    grid: {left: 8, right: 28, top: 8, bottom: 8, containLabel: true},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", data: areaLabels, axisLabel: {fontSize: 11, width: 110, overflow: "truncate"}},
    series: [{name: L.findings, type: "bar", barMaxWidth: 18, data: areaValues, label: {show: true, position: "right", fontSize: 11}}]
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
