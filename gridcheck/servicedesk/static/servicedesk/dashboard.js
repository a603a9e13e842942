"use strict";
// The service desk's chart: questions asked per month (bars), answered in time [%] and satisfaction
// [1–5] (lines), drawn from the JSON the page carries (json_script). Labels are data: ECharts writes them
// as text and the tooltip returns plain text (renderMode "richText"), so nothing is read as HTML.
(function () {
  if (!window.echarts) { return; }
  var node = document.getElementById("gc-chart-data");
  var el = document.getElementById("gc-chart-servicedesk");
  if (!node || !el) { return; }
  var data = JSON.parse(node.textContent);
  var L = data.labels;
  function tooltipText(params) {
    var list = Array.isArray(params) ? params : [params];
    var text = list.length ? String(list[0].name) : "";
    list.forEach(function (p) { text += "\n" + p.seriesName + ": " + (p.value === null ? "—" : String(p.value)); });
    return text;
  }
  var chart = echarts.init(el);
  chart.setOption({
    color: ["#98a2b3", "#12b76a", "#0b5cab"],
    tooltip: {trigger: "axis", renderMode: "richText", formatter: tooltipText},
    legend: {bottom: 0, textStyle: {fontSize: 11}},
    grid: {left: 48, right: 48, top: 28, bottom: 56},
    xAxis: {type: "category", data: data.months},
    yAxis: [
      {type: "value", name: L.in_time, min: 0, max: 100},
      {type: "value", name: L.rating, min: 0, max: 5}
    ],
    series: [
      {name: L.asked, type: "bar", yAxisIndex: 0, barMaxWidth: 28, data: data.asked},
      {name: L.in_time, type: "line", yAxisIndex: 0, connectNulls: true, data: data.in_time},
      {name: L.rating, type: "line", yAxisIndex: 1, connectNulls: true, data: data.rating}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
