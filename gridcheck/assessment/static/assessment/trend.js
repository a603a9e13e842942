"use strict";
// The scorecard's trend chart: the total of the last 12 months, from the page's JSON data island
// (json_script). Tooltips are plain text (renderMode "richText"): nothing in them is read as HTML.
(function () {
  if (!window.echarts) { return; }
  var node = document.getElementById("gc-assessment-chart-data");
  var el = document.getElementById("gc-assessment-trend");
  if (!node || !el) { return; }
  var data = JSON.parse(node.textContent);
  var L = data.labels;
  if (!data.totals.some(function (v) { return v !== null; })) {
    el.classList.add("d-flex", "align-items-center", "justify-content-center", "text-secondary", "small");
    el.textContent = L.empty;
    return;
  }
  var chart = echarts.init(el);
  chart.setOption({
    color: ["#0b5cab"],
    tooltip: {
      trigger: "axis", renderMode: "richText",
      formatter: function (params) {
        var p = Array.isArray(params) ? params[0] : params;
        var v = p.value === null || p.value === undefined ? "—" : Number(p.value).toFixed(1);
        return String(p.name) + "\n" + L.total + ": " + v;
      }
    },
    grid: {left: 8, right: 16, top: 16, bottom: 8, containLabel: true},
    xAxis: {type: "category", data: data.months, axisLabel: {fontSize: 11}},
    yAxis: {type: "value", scale: true},
    series: [{name: L.total, type: "line", data: data.totals, connectNulls: false, symbolSize: 7,
              label: {show: true, fontSize: 10, formatter: function (p) { return p.value === null ? "" : Number(p.value).toFixed(1); }}}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
