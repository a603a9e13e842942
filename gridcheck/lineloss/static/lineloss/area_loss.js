"use strict";
(function () {
  if (!window.echarts) { return; }
  var d = JSON.parse(document.getElementById("gc-chart-data").textContent), L = d.labels;
  var months = echarts.init(document.getElementById("gc-chart-months"));
  months.setOption({
    color: ["#0b5cab", "#d92d20", "#12b76a"], tooltip: {trigger: "axis"}, legend: {bottom: 0},
    grid: {left: 44, right: 16, top: 16, bottom: 56},
    xAxis: {type: "category", data: d.months}, yAxis: {type: "value", name: "%"},
    series: [
      {name: L.loss_rate, type: "line", smooth: true, data: d.loss_rate},
      {name: L.target, type: "line", step: "middle", lineStyle: {type: "dashed"}, symbol: "none", data: d.target}
    ]
  });
  var days = echarts.init(document.getElementById("gc-chart-days"));
  days.setOption({
    color: ["#0b5cab", "#12b76a", "#d92d20"], tooltip: {trigger: "axis"}, legend: {bottom: 0},
    grid: {left: 52, right: 44, top: 16, bottom: 56},
    xAxis: {type: "category", data: d.days},
    yAxis: [{type: "value", name: "kWh"}, {type: "value", name: "%", splitLine: {show: false}}],
    series: [
      {name: L.supply, type: "bar", barMaxWidth: 10, data: d.day_supply},
      {name: L.sales, type: "bar", barMaxWidth: 10, data: d.day_sales},
      {name: L.loss_rate, type: "line", yAxisIndex: 1, symbol: "none", data: d.day_rate}
    ]
  });
  window.addEventListener("resize", function () { months.resize(); days.resize(); });
})();
