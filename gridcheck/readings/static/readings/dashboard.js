"use strict";
(function () {
  if (!window.echarts) { return; }
  var d = JSON.parse(document.getElementById("gc-chart-data").textContent);
  var low = Math.min.apply(null, d.rates.filter(function (v) { return v !== null; }).concat([98]));
  var chart = echarts.init(document.getElementById("gc-chart-rate"));
  chart.setOption({
    color: ["#0b5cab"], tooltip: {trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v.toFixed(2) + " %"; }},
    grid: {left: 48, right: 16, top: 16, bottom: 32},
    xAxis: {type: "category", data: d.days},
    yAxis: {type: "value", min: Math.floor(low - 1), max: 100, name: "%"},
    series: [{name: d.labels.rate, type: "line", smooth: true, areaStyle: {opacity: 0.08}, data: d.rates,
              markLine: {symbol: "none", lineStyle: {color: "#d92d20", type: "dashed"}, label: {formatter: d.labels.target}, data: [{yAxis: 98}]}}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
