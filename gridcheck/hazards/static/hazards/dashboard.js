"use strict";
(function () {
  if (!window.echarts) { return; }
  var data = JSON.parse(document.getElementById("gc-hazard-chart-data").textContent);
  var box = document.getElementById("gc-chart-trend");
  var trend = echarts.init(box);
  trend.setOption({
    color: ["#0b5cab", "#12b76a"], tooltip: {trigger: "axis"}, legend: {bottom: 0},
    grid: {left: 36, right: 12, top: 16, bottom: 48},
    xAxis: {type: "category", data: data.trend.labels}, yAxis: {type: "value", minInterval: 1},
    series: [{name: box.dataset.labelFound, type: "bar", data: data.trend.found},
             {name: box.dataset.labelRectified, type: "bar", data: data.trend.rectified}]
  });
  var sev = echarts.init(document.getElementById("gc-chart-severity"));
  sev.setOption({color: ["#98a2b3", "#f79009", "#d92d20"], tooltip: {trigger: "item"},
    series: [{type: "pie", radius: ["45%", "72%"], data: data.severity, label: {formatter: "{b}\n{c}"}}]});
  window.addEventListener("resize", function () { trend.resize(); sev.resize(); });
})();
