"use strict";
(function () {
  if (!window.echarts) { return; }
  var data = JSON.parse(document.getElementById("gc-chart-data").textContent);
  var palette = ["#0b5cab", "#f79009", "#12b76a", "#7a5af8", "#98a2b3"];
  var pie = echarts.init(document.getElementById("gc-chart-category"));
  pie.setOption({
    color: palette,
    tooltip: {trigger: "item", formatter: "{b}: {c} ({d}%)"},
    legend: {bottom: 0, type: "scroll"},
    series: [{type: "pie", radius: ["45%", "70%"], center: ["50%", "44%"], data: data.category,
              label: {formatter: "{b}\n{c}"}, avoidLabelOverlap: true}]
  });
  var bar = echarts.init(document.getElementById("gc-chart-class"));
  bar.setOption({
    tooltip: {trigger: "axis"},
    grid: {left: 48, right: 16, top: 16, bottom: 32},
    xAxis: {type: "category", data: data.classes.labels},
    yAxis: {type: "value", minInterval: 1},
    series: [{type: "bar", barMaxWidth: 48, data: data.classes.values.map(function (v, i) {
      return {value: v, itemStyle: {color: ["#d92d20", "#f79009", "#12b76a"][i] || "#0b5cab", borderRadius: [4, 4, 0, 0]}};
    })}]
  });
  window.addEventListener("resize", function () { pie.resize(); bar.resize(); });
})();
