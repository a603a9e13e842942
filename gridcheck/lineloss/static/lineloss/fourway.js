"use strict";
// The four-way loss view's charts (ECharts; tooltips are text: ECharts' default formatter escapes names).
(function () {
  if (!window.echarts) { return; }
  var d = JSON.parse(document.getElementById("gc-chart-data").textContent), L = d.labels;
  var charts = [];
  function bars(id, block, withTarget, horizontal) {
    var el = document.getElementById(id);
    if (!el || !block.labels.length) { return; }
    var chart = echarts.init(el);
    var cat = {type: "category", data: block.labels, axisLabel: {interval: 0, rotate: horizontal ? 0 : 30}};
    var val = {type: "value", name: "%"};
    var series = [{name: L.loss_rate, type: "bar", barMaxWidth: 18, data: block.rates}];
    if (withTarget) {
      series.push({name: L.target, type: horizontal ? "scatter" : "line", symbolSize: 8, data: block.targets});
    }
    chart.setOption({
      color: ["#0b5cab", "#d92d20"], tooltip: {trigger: "axis"}, legend: {bottom: 0},
      grid: {left: horizontal ? 110 : 44, right: 16, top: 16, bottom: horizontal ? 40 : 72},
      xAxis: horizontal ? val : cat, yAxis: horizontal ? {type: "category", data: block.labels, inverse: true} : val,
      series: series
    });
    charts.push(chart);
  }
  bars("gc-chart-voltages", d.voltages, false, false);
  bars("gc-chart-lines", d.lines, true, false);
  bars("gc-chart-areas", d.areas, true, true);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
