"use strict";
(function () {
  if (!window.echarts) { return; }
  var data = JSON.parse(document.getElementById("gc-chart-data").textContent);
  var L = data.labels;
  var trend = echarts.init(document.getElementById("gc-chart-trend"));
  trend.setOption({
    color: ["#0b5cab", "#d92d20", "#f79009"],
    tooltip: {trigger: "axis"},
    legend: {bottom: 0},
    grid: {left: 48, right: 48, top: 16, bottom: 56},
    xAxis: {type: "category", data: data.trend.map(function (r) { return r.month; })},
    yAxis: [{type: "value", name: "%", axisLabel: {formatter: "{value}"}}, {type: "value", minInterval: 1, splitLine: {show: false}}],
    series: [
      {name: L.loss_rate, type: "line", smooth: true, symbolSize: 6, data: data.trend.map(function (r) { return r.loss_rate_percent; })},
      {name: L.flagged_by_loss, type: "bar", stack: "flagged", yAxisIndex: 1, barMaxWidth: 18, itemStyle: {opacity: 0.35}, data: data.trend.map(function (r) { return r.flagged - r.flagged_by_suspects; })},
      {name: L.flagged_by_suspects, type: "bar", stack: "flagged", yAxisIndex: 1, barMaxWidth: 18, itemStyle: {opacity: 0.45}, data: data.trend.map(function (r) { return r.flagged_by_suspects; })}
    ]
  });
  var hist = echarts.init(document.getElementById("gc-chart-hist"));
  hist.setOption({
    tooltip: {trigger: "axis"},
    grid: {left: 40, right: 12, top: 16, bottom: 48},
    xAxis: {type: "category", data: data.histogram.labels, name: "%", axisLabel: {interval: 0, rotate: 40, fontSize: 10}},
    yAxis: {type: "value", minInterval: 1},
    series: [{type: "bar", name: L.areas, barCategoryGap: "8%", data: data.histogram.counts.map(function (v, i) {
      var label = data.histogram.labels[i];
      var bad = label.charAt(0) === "<" || label.charAt(0) === "-" || label.charAt(0) === "≥" || parseFloat(label) >= 8;
      return {value: v, itemStyle: {color: bad ? "#f04438" : "#0b5cab", borderRadius: [3, 3, 0, 0]}};
    })}]
  });
  window.addEventListener("resize", function () { trend.resize(); hist.resize(); });
})();
