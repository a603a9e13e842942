"use strict";
// The monthly audit report's charts (findings per module and per theme, stacked by state), drawn from the
// JSON the page carries (json_script). Labels are data: ECharts writes them as text, and the tooltip's
// formatter returns plain text (renderMode "richText"), so nothing in a label is read as HTML.
(function () {
  if (!window.echarts) { return; }
  var node = document.getElementById("gc-chart-data");
  if (!node) { return; }
  var data = JSON.parse(node.textContent);
  var L = data.labels;
  var charts = [];

  function tooltipText(params) {
    var list = Array.isArray(params) ? params : [params];
    var text = list.length ? String(list[0].name) : "";
    list.forEach(function (p) { text += "\n" + p.seriesName + ": " + String(p.value); });
    return text;
  }
  function stacked(id, block) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el);
    var parts = [["closed", "#12b76a"], ["dismissed", "#98a2b3"], ["open", "#0b5cab"], ["overdue", "#d92d20"]];
    chart.setOption({
      color: parts.map(function (p) { return p[1]; }),
      tooltip: {trigger: "axis", renderMode: "richText", formatter: tooltipText},
      legend: {bottom: 0, textStyle: {fontSize: 11}},
      grid: {left: 48, right: 16, top: 28, bottom: 56},
      xAxis: {type: "category", data: block.labels, axisLabel: {interval: 0, fontSize: 11}},
      yAxis: {type: "value", name: L.findings, nameTextStyle: {align: "left"}, minInterval: 1},
      series: parts.map(function (p) {
        return {name: L[p[0]], type: "bar", stack: "state", barMaxWidth: 36, data: block[p[0]]};
      })
    });
    charts.push(chart);
  }

  stacked("gc-chart-module", data.module);
  stacked("gc-chart-theme", data.theme);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
