"use strict";
// The collection dashboard's charts, drawn from the JSON the page carries (json_script). Labels are data:
// ECharts writes them as text, and the tooltips use formatter functions that return plain text.
(function () {
  if (!window.echarts) { return; }
  var node = document.getElementById("gc-chart-data");
  if (!node) { return; }
  var data = JSON.parse(node.textContent);
  var L = data.labels;
  var charts = [];

  function percentText(value) {
    return value === null || value === undefined ? "—" : Number(value).toFixed(1) + " %";
  }
  function moneyText(value) {
    if (value === null || value === undefined) { return "—"; }
    return Number(value).toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }
  function lines(params, format) {
    var list = Array.isArray(params) ? params : [params];
    var text = list.length ? String(list[0].name) : "";
    list.forEach(function (p) { text += "\n" + p.seriesName + ": " + format(p.value); });
    return text;
  }
  function tooltip(format) {
    // Plain text (renderMode "richText"): nothing in a label is read as HTML.
    return {trigger: "axis", renderMode: "richText", formatter: function (params) { return lines(params, format); }};
  }
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
  }
  function rateBars(id, block) {
    draw(id, {
      color: ["#0b5cab"],
      tooltip: tooltip(percentText),
      grid: {left: 48, right: 16, top: 32, bottom: 64},
      xAxis: {type: "category", data: block.labels, axisLabel: {interval: 0, rotate: block.labels.length > 6 ? 35 : 0, fontSize: 11}},
      yAxis: {type: "value", name: "%", max: 100, min: 0},
      series: [{
        name: L.rate, type: "bar", barMaxWidth: 28,
        data: block.rates.map(function (v) { return {value: v, itemStyle: {color: v !== null && v < 100 ? "#f79009" : "#12b76a"}}; }),
        markLine: {silent: true, symbol: "none", label: {position: "insideEndTop", formatter: function () { return L.goal; }}, lineStyle: {color: "#d92d20", type: "dashed"}, data: [{yAxis: 100}]}
      }]
    });
  }

  rateBars("gc-chart-areas", data.areas);
  rateBars("gc-chart-owners", data.owners);

  draw("gc-chart-trend", {
    color: ["#0b5cab"],
    tooltip: tooltip(percentText),
    grid: {left: 48, right: 16, top: 32, bottom: 40},
    xAxis: {type: "category", data: data.trend.labels},
    yAxis: {type: "value", name: "%", min: 0, max: 100},
    series: [{
      name: L.rate, type: "line", smooth: true, symbolSize: 6, showSymbol: true, showAllSymbol: true, connectNulls: false, data: data.trend.rates,
      markLine: {silent: true, symbol: "none", label: {position: "insideEndTop", formatter: function () { return L.goal; }}, lineStyle: {color: "#d92d20", type: "dashed"}, data: [{yAxis: 100}]}
    }]
  });

  var bucketColors = ["#fdb022", "#f79009", "#ef6820", "#d92d20", "#912018"];
  draw("gc-chart-ageing", {
    color: bucketColors,
    tooltip: tooltip(moneyText),
    legend: {bottom: 0, textStyle: {fontSize: 11}},
    grid: {left: 64, right: 16, top: 32, bottom: 72},
    xAxis: {type: "category", data: data.ageing.labels, axisLabel: {interval: 0, rotate: data.ageing.labels.length > 6 ? 35 : 0, fontSize: 11}},
    yAxis: {type: "value", name: L.arrears},
    series: data.ageing.buckets.map(function (name, i) {
      return {name: name, type: "bar", stack: "ageing", barMaxWidth: 28, data: data.ageing.series[i]};
    })
  });

  draw("gc-chart-late-fees", {
    color: ["#0b5cab", "#98a2b3"],
    tooltip: tooltip(moneyText),
    legend: {bottom: 0},
    grid: {left: 64, right: 16, top: 32, bottom: 48},
    xAxis: {type: "category", data: data.late_fees.labels},
    yAxis: {type: "value", minInterval: 1},
    series: [
      {name: L.income, type: "bar", barMaxWidth: 28, data: data.late_fees.income},
      {name: L.target, type: "bar", barMaxWidth: 28, data: data.late_fees.target}
    ]
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
